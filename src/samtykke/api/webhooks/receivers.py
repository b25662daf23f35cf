"""Signal receivers: a consent change or an erasure (sent after commit) starts webhook work."""

from __future__ import annotations

from typing import Any

from django.db import connections

from samtykke.api.models import WebhookEndpoint

_HAS_ENDPOINTS = (
    f"SELECT 1 FROM {WebhookEndpoint._meta.db_table} "  # noqa: S608 - table name from model metadata
    "WHERE dealer_id = %s AND disabled_at IS NULL LIMIT 1"
)


def _has_endpoints(dealer_id: int) -> bool:
    """Asked after every consent write, so a plain statement (no ORM compilation), one dealer's."""
    with connections[WebhookEndpoint.all_dealers.db].cursor() as cursor:
        cursor.execute(_HAS_ENDPOINTS, [dealer_id])
        return cursor.fetchone() is not None


def on_consent_recorded(sender: Any, dealer_id: int, event_ids: list[int], **kwargs: Any) -> None:
    from samtykke.api.webhooks.delivery import fan_out_webhooks

    if _has_endpoints(dealer_id):
        fan_out_webhooks.enqueue(dealer_id)


def on_customer_erased(
    sender: Any, dealer_id: int, customer_id: int, external_id: str, **kwargs: Any
) -> None:
    from samtykke.api.webhooks.delivery import announce_erasure_webhooks

    if _has_endpoints(dealer_id):
        announce_erasure_webhooks.enqueue(dealer_id, customer_id, external_id)


def connect() -> None:
    from samtykke.consent.actions import consent_recorded, customer_erased

    consent_recorded.connect(on_consent_recorded, dispatch_uid="api-webhooks-consent")
    customer_erased.connect(on_customer_erased, dispatch_uid="api-webhooks-erased")
