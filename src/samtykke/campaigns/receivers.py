"""Delivery reports from the SMS providers move a recipient sent → delivered / failed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from samtykke.campaigns.models import Recipient
from samtykke.messaging.reports import DeliveryReport, DeliveryStatus
from samtykke.messaging.signals import delivery_reported


def _recipient(report: DeliveryReport) -> tuple[Recipient | None, bool]:
    """(recipient, is the reminder) by our reference, else by the provider's id."""
    ref = report.reference
    reminder = ref.endswith("-r")
    if ref.removesuffix("-r").isdigit():
        r = Recipient.all_dealers.filter(pk=int(ref.removesuffix("-r"))).first()
        if r is not None:
            return r, reminder
    if report.provider_id:
        r = Recipient.all_dealers.filter(provider_id=report.provider_id).first()
        if r is not None:
            return r, False
        r = Recipient.all_dealers.filter(reminder_provider_id=report.provider_id).first()
        return r, True
    return None, False


def on_delivery_reported(sender: Any, report: DeliveryReport, **kwargs: Any) -> bool:
    recipient, reminder = _recipient(report)
    if recipient is None:
        return False
    if reminder or not report.is_final:
        return True  # the reminder's fate does not change the recipient's state
    now = timezone.now()
    mine = Recipient.all_dealers.filter(pk=recipient.pk)
    if report.status == DeliveryStatus.DELIVERED:
        mine.filter(state=Recipient.State.SENT).update(
            state=Recipient.State.DELIVERED, delivered_at=now
        )
    elif report.status == DeliveryStatus.FAILED:
        mine.filter(state__in=[Recipient.State.SENT, Recipient.State.DELIVERED]).update(
            state=Recipient.State.FAILED,
            failed_at=now,
            failure_reason=(report.error or report.error_code or "undelivered")[:300],
        )
    return True


def connect() -> None:
    delivery_reported.connect(on_delivery_reported, dispatch_uid="campaigns-delivery")
