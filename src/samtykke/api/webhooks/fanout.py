"""Turning ledger events into deliveries, in the ledger's order, exactly once per endpoint.

Each endpoint keeps the ledger sequence it has deliveries for (``fanned_out_sequence``). A
fan-out locks the dealer's endpoints, reads the ledger after the lowest of those (the feed's
gapless, commit-ordered sequence) and creates the deliveries in the same transaction as it
moves the marks. So a delivery's id follows the ledger order, a lost signal is caught up by
the next fan-out, and no event is fanned out twice.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from samtykke.api.feed import read_feed
from samtykke.api.models import WebhookDelivery, WebhookEndpoint
from samtykke.consent.models import ConsentEvent, LedgerHead

BATCH = 1000
CONSENT_CHANGED = "consent.changed"
CUSTOMER_ERASED = "customer.erased"


def message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def ledger_position(dealer_id: int) -> int:
    head = LedgerHead.objects.filter(dealer_id=dealer_id).values_list("sequence", flat=True)
    return int(head.first() or 0)


def _locked_endpoints(dealer_id: int, event_type: str) -> list[WebhookEndpoint]:
    endpoints = (
        WebhookEndpoint.objects.for_dealer(dealer_id)
        .select_for_update()
        .filter(disabled_at__isnull=True)
        .order_by("pk")
    )
    return [e for e in endpoints if event_type in e.events]


def fan_out_once(dealer_id: int) -> tuple[list[int], bool]:
    """One batch: the new deliveries' ids, and whether more events wait."""
    with transaction.atomic():
        endpoints = _locked_endpoints(dealer_id, CONSENT_CHANGED)
        if not endpoints:
            return [], False
        start = min(e.fanned_out_sequence for e in endpoints)
        events, last = read_feed(dealer_id, start, BATCH)
        if not events:
            return [], False
        customer_ids = dict(
            ConsentEvent.objects.for_dealer(dealer_id)
            .filter(sequence__gt=start, sequence__lte=last)
            .values_list("sequence", "customer_id")
        )
        deliveries = [
            WebhookDelivery(
                dealer_id=dealer_id,
                endpoint=endpoint,
                message_id=message_id(),
                event_type=CONSENT_CHANGED,
                sequence=event["sequence"],
                customer_id=customer_ids[event["sequence"]],
                payload=jsonable(
                    {"type": CONSENT_CHANGED, "timestamp": event["recorded_at"], "data": event}
                ),
            )
            for event in events
            for endpoint in endpoints
            if event["sequence"] > endpoint.fanned_out_sequence
        ]
        created = WebhookDelivery.objects.bulk_create(deliveries)
        WebhookEndpoint.objects.for_dealer(dealer_id).filter(
            pk__in=[e.pk for e in endpoints]
        ).update(fanned_out_sequence=last)
        return sorted(d.pk for d in created), len(events) == BATCH


def fan_out(dealer_id: int) -> list[int]:
    """Catch every endpoint of the dealer up with the ledger."""
    ids: list[int] = []
    more = True
    while more:
        batch, more = fan_out_once(dealer_id)
        ids.extend(batch)
    return ids


def announce_erasure(dealer_id: int, customer_id: int, external_id: str) -> list[int]:
    """A customer.erased delivery per endpoint, after the customer's earlier consent events."""
    ids = fan_out(dealer_id)
    with transaction.atomic():
        endpoints = _locked_endpoints(dealer_id, CUSTOMER_ERASED)
        payload = jsonable(
            {
                "type": CUSTOMER_ERASED,
                "timestamp": timezone.now(),
                "data": {"customer": external_id},
            }
        )
        created = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                dealer_id=dealer_id,
                endpoint=endpoint,
                message_id=message_id(),
                event_type=CUSTOMER_ERASED,
                customer_id=customer_id,
                payload=payload,
            )
            for endpoint in endpoints
        )
    return ids + [d.pk for d in created]
