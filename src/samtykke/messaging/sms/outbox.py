"""The outbox backend: every SMS is kept as an ``OutboxMessage`` row and never leaves.

The demo's default; staff read it in the back office ("SMS-utboks", /sms-utboks/) and support
with ``samtykke outbox [--campaign ID] [--dealer SLUG]``. ``simulate_delivery`` plays the
provider's part afterwards: a "delivered" report for each message not yet reported, through the
same ``delivery_reported`` signal as the real webhooks (the page's button, ``--deliver``).
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from samtykke.messaging.models import OutboxMessage
from samtykke.messaging.reports import DeliveryReport, DeliveryStatus, announce
from samtykke.messaging.segments import sms_length
from samtykke.messaging.sms.base import SENT, SendResult, SentMessage, SmsBackend, SmsMessage


class OutboxBackend(SmsBackend):
    name = "outbox"
    parallel_safe = False

    def __init__(self) -> None:
        self._thread = threading.get_ident()

    def send(self, message: SmsMessage) -> SendResult:
        try:
            return self._send(message)
        finally:
            if threading.get_ident() != self._thread:
                # Called from a worker thread anyway: do not leave its connection behind.
                connection.close()

    def _send(self, message: SmsMessage) -> SendResult:
        length = sms_length(message.body)
        row = OutboxMessage.all_dealers.create(
            dealer_id=message.dealer_id,
            campaign_id=message.campaign_id,
            reference=message.reference[:100],
            to=message.to[:20],
            sender=message.sender[:20],
            body=message.body,
            encoding=length.encoding,
            segments=length.segments,
        )
        return SendResult(SENT, provider_id=row.provider_id)

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        rows = OutboxMessage.all_dealers.filter(to=to, created_at__gte=since).order_by("id")
        if reference:
            rows = rows.filter(reference=reference)
        if body_contains:
            rows = rows.filter(body__contains=body_contains)
        return [
            SentMessage(
                provider_id=r.provider_id,
                to=r.to,
                body=r.body,
                sent_at=r.created_at,
                status=SENT,
                reference=r.reference,
            )
            for r in rows
        ]


def simulate_delivery(messages: QuerySet[OutboxMessage]) -> int:
    """Announce "delivered" for each message of ``messages`` not yet reported; how many."""
    count = 0
    for message in messages.filter(delivered_at__isnull=True).order_by("id").iterator():
        now = timezone.now()
        claimed = OutboxMessage.all_dealers.filter(pk=message.pk, delivered_at__isnull=True)
        if not claimed.update(delivered_at=now):
            continue  # reported by someone else meanwhile
        announce(
            DeliveryReport(
                provider="outbox",
                provider_id=message.provider_id,
                reference=message.reference,
                status=DeliveryStatus.DELIVERED,
                at=now,
            )
        )
        count += 1
    return count
