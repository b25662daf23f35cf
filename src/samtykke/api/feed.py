"""Reading the ledger for the DMS: events with their resulting state, and the opaque cursor.

Event numbers are gapless per dealer and assigned in commit order (``consent.actions`` locks
the dealer's ledger head while it appends), so "everything after sequence N" never skips an
event that commits late. As a belt to those braces a page stops at the first gap.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from typing import Any

from samtykke.api.errors import ApiError
from samtykke.consent.models import ConsentEvent
from samtykke.tenancy.models import Dealer

CURSOR_PREFIX = "v1:"
_FIELDS = (
    "sequence",
    "customer_id",
    "customer__external_id",
    "purpose_id",
    "purpose__key",
    "channel_id",
    "channel__key",
    "status",
    "source",
    "occurred_at",
    "recorded_at",
)
Key = tuple[int, int, int]
Winner = tuple[dt.datetime, int, str, str]  # occurred_at, sequence, status, source


def encode_cursor(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{sequence}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    number = raw[len(CURSOR_PREFIX) :] if raw.startswith(CURSOR_PREFIX) else ""
    if not number.isdigit() or len(number) > 18:
        raise ApiError(400, "invalid_cursor", "`after` is not a cursor this API gave out.")
    return int(number)


def _priors(dealer: Dealer | int, keys: set[Key], before: int) -> dict[Key, Winner]:
    """The winning event of each key among events before ``before`` (the state at that point)."""
    best: dict[Key, Winner] = {}
    customer_ids = sorted({k[0] for k in keys})
    for start in range(0, len(customer_ids), 900):
        rows = (
            ConsentEvent.objects.for_dealer(dealer)
            .filter(customer_id__in=customer_ids[start : start + 900], sequence__lt=before)
            .order_by("sequence")
            .values_list(
                "customer_id",
                "purpose_id",
                "channel_id",
                "occurred_at",
                "sequence",
                "status",
                "source",
            )
        )
        for customer_id, purpose_id, channel_id, occurred, sequence, status, source in rows:
            key = (customer_id, purpose_id, channel_id)
            if key in keys:
                current = best.get(key)
                if current is None or occurred >= current[0]:
                    best[key] = (occurred, sequence, status, source)
    return best


def events_out(dealer: Dealer | int, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Feed events, each with the state of its purpose and channel right after it."""
    rows = list(rows)
    if not rows:
        return []
    keys = {(r["customer_id"], r["purpose_id"], r["channel_id"]) for r in rows}
    best = _priors(dealer, keys, rows[0]["sequence"])
    out = []
    for r in rows:
        key = (r["customer_id"], r["purpose_id"], r["channel_id"])
        current = best.get(key)
        if current is None or r["occurred_at"] >= current[0]:
            current = best[key] = (r["occurred_at"], r["sequence"], r["status"], r["source"])
        out.append(
            {
                "sequence": r["sequence"],
                "customer": r["customer__external_id"],
                "purpose": r["purpose__key"],
                "channel": r["channel__key"],
                "status": r["status"],
                "source": r["source"],
                "occurred_at": r["occurred_at"],
                "recorded_at": r["recorded_at"],
                "state": {"status": current[2], "source": current[3], "since": current[0]},
            }
        )
    return out


def read_feed(dealer: Dealer | int, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Up to ``limit`` events after sequence ``after``, and the sequence to continue after."""
    rows = list(
        ConsentEvent.objects.for_dealer(dealer)
        .filter(sequence__gt=after)
        .order_by("sequence")
        .values(*_FIELDS)[:limit]
    )
    contiguous = []
    expected = after + 1
    for row in rows:
        if row["sequence"] != expected:
            break
        contiguous.append(row)
        expected += 1
    return events_out(dealer, contiguous), expected - 1


def events_by_id(dealer: Dealer | int, ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        ConsentEvent.objects.for_dealer(dealer)
        .filter(pk__in=ids)
        .order_by("sequence")
        .values(*_FIELDS)
    )
    return events_out(dealer, rows)
