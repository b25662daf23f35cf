"""The hash chain of the consent ledger (keyed HMAC-SHA256; the key lives outside the database)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def evidence_digest(evidence: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(evidence).encode()).hexdigest()


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hasher(
    *,
    dealer_id: int,
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
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    key: bytes | None = None,
) -> Callable[[int, int, int, int, str, str], str]:
    """The hash of events that share everything but (sequence, customer, purpose, channel,
    evidence digest, previous hash): the canonical message's constant parts are built once,
    so a bulk job pays one HMAC per event. ``event_hash`` is the one-event case.
    """

    def part(value: Any) -> str:
        return canonical_json(value)

    secret = key or settings.LEDGER_KEY
    head = f"[{part('samtykke-event-v1')},{part(dealer_id)},"
    middle = ",".join(
        part(v)
        for v in (
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
        )
    )
    times = f"{part(_instant(occurred_at))},{part(_instant(recorded_at))}"

    def hash_one(
        sequence: int,
        customer_id: int,
        purpose_id: int,
        channel_id: int,
        evidence_sha256: str,
        prev_hash: str,
    ) -> str:
        message = (
            f"{head}{int(sequence)},{int(customer_id)},{int(purpose_id)},{int(channel_id)},"
            f"{middle},{part(evidence_sha256)},{times},{part(prev_hash)}]"
        )
        return hmac.digest(secret, message.encode(), "sha256").hex()

    return hash_one


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
    return event_hasher(
        dealer_id=dealer_id,
        status=status,
        source=source,
        notice_version_id=notice_version_id,
        notice_sha256=notice_sha256,
        notice_assumed=notice_assumed,
        legal_basis=legal_basis,
        actor_kind=actor_kind,
        actor_user_id=actor_user_id,
        actor_api_key_id=actor_api_key_id,
        actor_label=actor_label,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        key=key,
    )(sequence, customer_id, purpose_id, channel_id, evidence_sha256, prev_hash)
