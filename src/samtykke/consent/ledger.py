"""The hash chain of the consent ledger (keyed HMAC-SHA256; the key lives outside the database)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def evidence_digest(evidence: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(evidence).encode()).hexdigest()


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    dealer_id: int,
    sequence: int,
    customer_id: int,
    purpose_id: int,
    channel_id: int,
    status: str,
    source: str,
    notice_version_id: int | None,
    notice_sha256: str,
    notice_assumed: bool,
    legal_basis: str,
    actor_kind: str,
    actor_user_id: int | None,
    actor_api_key_id: int | None,
    actor_label: str,
    evidence_sha256: str,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    prev_hash: str,
    key: bytes | None = None,
) -> str:
    """HMAC over every field that makes the event what it is, and the previous event's hash."""
    message = canonical_json(
        [
            "samtykke-event-v1",
            dealer_id,
            sequence,
            customer_id,
            purpose_id,
            channel_id,
            status,
            source,
            notice_version_id,
            notice_sha256,
            notice_assumed,
            legal_basis,
            actor_kind,
            actor_user_id,
            actor_api_key_id,
            actor_label,
            evidence_sha256,
            _instant(occurred_at),
            _instant(recorded_at),
            prev_hash,
        ]
    )
    return hmac.new(key or settings.LEDGER_KEY, message.encode(), hashlib.sha256).hexdigest()
