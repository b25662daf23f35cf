"""Delivery reports from the SMS providers move a recipient sent → delivered / failed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from samtykke.campaigns.models import Recipient

DELIVERED = {"delivered"}
FAILED = {"failed", "undelivered", "rejected", "expired"}


def on_delivery_reported(
    sender: Any, *, provider_id: str = "", status: str = "", error: str = "", **kwargs: Any
) -> None:
    if not provider_id:
        return
    now = timezone.now()
    first = Recipient.all_dealers.filter(provider_id=provider_id)
    if status in DELIVERED:
        first.filter(state=Recipient.State.SENT).update(
            state=Recipient.State.DELIVERED, delivered_at=now
        )
    elif status in FAILED:
        first.filter(state__in=[Recipient.State.SENT, Recipient.State.DELIVERED]).update(
            state=Recipient.State.FAILED,
            failed_at=now,
            failure_reason=(error or status)[:300],
        )


def connect() -> None:
    try:
        from samtykke.messaging import signals  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return
    signals.delivery_reported.connect(on_delivery_reported, dispatch_uid="campaigns-delivery")
