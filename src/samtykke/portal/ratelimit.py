"""Per-IP limits on token look-ups, counted in the database so all processes share them.

A fixed window per (kind, client): the counter row for the current window is incremented with
one UPDATE … RETURNING that also reads both counts (created on first use; a racing INSERT falls
back to the UPDATE), so a look-up costs one statement. The
client key is an HMAC of the IP address, so the table holds no addresses. Old windows are
deleted now and then by whoever opens a new window.

One row per client and window counts both; two limits apply to ``/s/<token>`` and
``/e/<token>`` (settings, per window of
``PORTAL_LOOKUP_WINDOW_SECONDS``, default 600):
``PORTAL_LOOKUPS_PER_WINDOW`` (default 60) for every look-up, generous because customers on one
mobile network share addresses (carrier-grade NAT), and ``PORTAL_FAILED_LOOKUPS_PER_WINDOW``
(default 10) for tokens that named no link: guessing is what a limit must stop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from samtykke.portal.models import LookupCounter
from samtykke.sql import Prepared


def window_seconds() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_WINDOW_SECONDS", 600))


def limits() -> tuple[int, int]:
    """(look-ups, failed look-ups) allowed per client and window."""
    return (
        int(getattr(settings, "PORTAL_LOOKUPS_PER_WINDOW", 60)),
        int(getattr(settings, "PORTAL_FAILED_LOOKUPS_PER_WINDOW", 10)),
    )


def client_key(ip: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"lookup:{ip}".encode(), hashlib.sha256
    ).hexdigest()


def _window_start(now: dt.datetime) -> dt.datetime:
    seconds = window_seconds()
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _rows(ip: str) -> tuple[QuerySet[LookupCounter], str, dt.datetime]:
    key, start = client_key(ip), _window_start(timezone.now())
    return LookupCounter.objects.filter(key=key, window_start=start), key, start


# PostgreSQL and SQLite quote names alike.
_COUNT = Prepared(
    "portal_lookup_count",
    f'UPDATE "{LookupCounter._meta.db_table}" SET "count" = "count" + 1 '  # noqa: S608 - names from the model
    'WHERE "key" = %s AND "window_start" = %s RETURNING "count", "failed"',
)


def _count(key: str, start: dt.datetime) -> tuple[int, int] | None:
    """Add one look-up to the window's row and return its (count, failed); None: no row yet."""
    window = LookupCounter._meta.get_field("window_start").get_db_prep_value(start, connection)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT.on(connection), [key, window])
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def allow_lookup(ip: str) -> bool:
    """Count one look-up by ``ip``; False when it used up either limit in this window."""
    key, start = client_key(ip), _window_start(timezone.now())
    counted = _count(key, start)
    if counted is None:
        try:
            with transaction.atomic():
                LookupCounter.objects.create(key=key, window_start=start, count=1)
            _forget_old(start)
            return limits()[0] >= 1
        except IntegrityError:  # another process opened the window first
            counted = _count(key, start) or (1, 0)
    count, failed = counted
    most, most_failed = limits()
    return count <= most and failed < most_failed


def lookup_failed(ip: str) -> None:
    """The token named nothing: count it against the stricter limit."""
    rows, _, _ = _rows(ip)
    rows.update(failed=F("failed") + 1)


def _forget_old(start: dt.datetime) -> None:
    LookupCounter.objects.filter(window_start__lt=start - dt.timedelta(days=1)).delete()
