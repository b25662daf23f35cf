"""Inbound SMS: a STOP word withdraws SMS consent at the dealer the reply came to.

``STOPP``, ``STOP``, ``SLUTT`` and ``AVMELD`` (any case, surrounding spaces and a trailing full
stop or exclamation mark ignored) withdraw every active purpose's SMS consent of EVERY
non-erased customer of that dealer with that mobile number (``customers.normalize``), through
``consent.actions.record_consent`` (source ``sms_reply``, the customer as actor, evidence: from,
body, provider and provider id). Other replies are kept and ignored. A provider message id is
handled once: a retried webhook changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.models import Purpose, Source, Status
from samtykke.customers.models import Customer
from samtykke.customers.normalize import normalize_phone
from samtykke.messaging.models import InboundMessage, InboundRoute
from samtykke.messaging.signals import sms_received
from samtykke.tenancy.models import Dealer

logger = logging.getLogger(__name__)

STOP_WORDS = frozenset({"STOPP", "STOP", "SLUTT", "AVMELD"})
# Withdraw from any state but "withdrawn" itself (a second STOPP adds no event).
_CHANGEABLE: list[str | None] = [s for s in Status.values if s != Status.WITHDRAWN] + [None]


def is_stop_word(body: str) -> bool:
    return body.strip().rstrip(".!").strip().upper() in STOP_WORDS


@dataclass(frozen=True)
class Reply:
    provider: str
    provider_message_id: str
    from_number: str
    to_number: str
    body: str


def customers_with_number(dealer: Dealer, e164: str) -> list[Customer]:
    """Every non-erased customer of ``dealer`` whose mobile is this (normalized) number."""
    return list(
        Customer.objects.for_dealer(dealer)
        .filter(mobile=e164, erased_at__isnull=True)
        .order_by("pk")
    )


def withdraw_sms_consent(
    dealer: Dealer, customers: list[Customer], evidence: dict[str, str]
) -> int:
    """Withdraw SMS consent (every active purpose) of these customers; how many changed."""
    keys = list(
        Purpose.objects.for_dealer(dealer)
        .filter(active=True, channels__key="sms")
        .values_list("key", flat=True)
        .distinct()
    )
    if not keys:
        return 0
    changed = 0
    for customer in customers:
        events = record_consent(
            dealer=dealer,
            customer=customer,
            decisions=[Decision(key, "sms", Status.WITHDRAWN) for key in keys],
            source=Source.SMS_REPLY,
            actor=Actor.customer(),
            evidence=evidence,
            only_if_current_in=_CHANGEABLE,
        )
        changed += bool(events)
    return changed


def handle_reply(route: InboundRoute, reply: Reply) -> InboundMessage | None:
    """Store and act on a reply; None when this provider message id was handled before."""
    dealer = route.dealer
    with transaction.atomic():
        try:
            with transaction.atomic():
                message = InboundMessage.all_dealers.create(
                    dealer=dealer,
                    route=route,
                    provider=reply.provider,
                    provider_message_id=reply.provider_message_id[:100],
                    from_number=reply.from_number[:40],
                    to_number=reply.to_number[:40],
                    body=reply.body[:2000],
                    action=InboundMessage.Action.IGNORED,
                )
        except IntegrityError:
            logger.info("reply %s %s seen before", reply.provider, reply.provider_message_id)
            return None
        phone = normalize_phone(reply.from_number)
        customers = customers_with_number(dealer, phone.value) if phone.is_valid else []
        message.customer_ids = [c.pk for c in customers]
        if is_stop_word(reply.body) and phone.is_valid:
            evidence = {
                "from": phone.value,
                "body": reply.body[:200],
                "provider": reply.provider,
                "provider_id": reply.provider_message_id,
            }
            message.customers_withdrawn = withdraw_sms_consent(dealer, customers, evidence)
            message.action = InboundMessage.Action.WITHDREW
            message.save(update_fields=["action", "customers_withdrawn", "customer_ids"])
        else:
            message.save(update_fields=["customer_ids"])
            logger.info("reply %s at %s ignored", reply.provider_message_id, dealer.slug)
        transaction.on_commit(lambda: sms_received.send(sender=InboundMessage, message=message))
    return message


def forget_erased_customer(
    sender: object, dealer_id: int, customer_id: int, **kwargs: object
) -> None:
    """``customer_erased``: blank the number and text of the replies that came from them."""
    replies = InboundMessage.objects.for_dealer(dealer_id).exclude(from_number="")
    ids = [m.pk for m in replies.only("pk", "customer_ids") if customer_id in m.customer_ids]
    if ids:
        InboundMessage.objects.for_dealer(dealer_id).filter(pk__in=ids).update(
            from_number="", to_number="", body=""
        )
