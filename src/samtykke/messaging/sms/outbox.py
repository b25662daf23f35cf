"""The outbox backend: every SMS is kept as an ``OutboxMessage`` row and never leaves.

The demo's default; staff read it in the back office ("SMS-utboks", /sms-utboks/) and support
with ``samtykke outbox [--campaign ID] [--dealer SLUG]``.
"""

from __future__ import annotations

import datetime as dt

from samtykke.messaging.models import OutboxMessage
from samtykke.messaging.segments import sms_length
from samtykke.messaging.sms.base import SENT, SendResult, SentMessage, SmsBackend, SmsMessage


class OutboxBackend(SmsBackend):
    name = "outbox"

    def send(self, message: SmsMessage) -> SendResult:
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
