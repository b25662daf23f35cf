"""Signal receivers: a consent change or an erasure (sent after commit) starts webhook work.

Whether a dealer has endpoints is asked after every consent write. The answer is kept per
process under the ledger head's ``config_version`` that the write saw (consent/config.py): a
saved or deleted endpoint gives the dealer's head a new version in its own transaction, so a
kept answer is used only while no endpoint has changed since. An endpoint disabled with
``update()`` (a 410 from the receiver) leaves a kept "yes" behind, which costs one fan-out
that finds nothing; a lost or late signal is caught up by the next fan-out or the sweep.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models.signals import post_delete, post_save

from samtykke.api.models import WebhookEndpoint
from samtykke.consent.config import config_changed

_HAS_ENDPOINTS = (
    f"SELECT 1 FROM {WebhookEndpoint._meta.db_table} "  # noqa: S608 - table name from model metadata
    "WHERE dealer_id = %s AND disabled_at IS NULL LIMIT 1"
)


# dealer id → (the head's config_version, whether the dealer had an endpoint then)
_known: dict[int, tuple[int, bool]] = {}


def _has_endpoints(dealer_id: int, config_version: int | None = None) -> bool:
    """Kept under ``config_version`` when given; else a plain statement, one dealer's."""
    if config_version is not None:
        known = _known.get(dealer_id)
        if known is not None and known[0] == config_version:
            return known[1]
    with connections[WebhookEndpoint.all_dealers.db].cursor() as cursor:
        cursor.execute(_HAS_ENDPOINTS, [dealer_id])
        found = cursor.fetchone() is not None
    if config_version is not None:
        _known[dealer_id] = (config_version, found)
    return found


def on_consent_recorded(
    sender: Any,
    dealer_id: int,
    event_ids: list[int],
    config_version: int | None = None,
    **kwargs: Any,
) -> None:
    from samtykke.api.webhooks.delivery import fan_out_webhooks

    if _has_endpoints(dealer_id, config_version):
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
    post_save.connect(_endpoint_changed, sender=WebhookEndpoint, dispatch_uid="api-endpoint-saved")
    post_delete.connect(
        _endpoint_changed, sender=WebhookEndpoint, dispatch_uid="api-endpoint-deleted"
    )


def _endpoint_changed(sender: Any, instance: WebhookEndpoint, **kwargs: Any) -> None:
    config_changed(instance.dealer_id)  # the kept answer no longer matches the head's version
