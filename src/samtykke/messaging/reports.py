"""What providers tell us after sending, normalized: one ``DeliveryReport`` shape for all."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from samtykke.messaging.signals import delivery_reported

logger = logging.getLogger(__name__)


class DeliveryStatus:
    SENT = "sent"  # accepted, on its way (queued, sent to the operator): not final
    DELIVERED = "delivered"  # on the phone: final
    FAILED = "failed"  # will not arrive (undeliverable, expired, rejected): final

    FINAL = frozenset({DELIVERED, FAILED})


@dataclass(frozen=True)
class DeliveryReport:
    provider: str  # "twilio", "linkmobility", "sveve", "outbox"
    provider_id: str  # the provider's message id (SendResult.provider_id)
    reference: str  # our SmsMessage.reference, "" when the provider did not give it back
    status: str  # a DeliveryStatus value
    at: dt.datetime  # when it happened (the provider's time if it gave one, else receipt)
    error: str = ""  # the provider's reason for a failure
    error_code: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_final(self) -> bool:
        return self.status in DeliveryStatus.FINAL


def announce(report: DeliveryReport) -> bool:
    """Send ``delivery_reported``; True when a receiver knew the message. Receivers may raise."""
    answers = delivery_reported.send(sender=DeliveryReport, report=report)
    known = any(bool(value) for _, value in answers)
    if not known:
        logger.info(
            "delivery report for an unknown message: %s %s ref=%r (%s)",
            report.provider,
            report.provider_id,
            report.reference,
            report.status,
        )
    return known
