"""Per-IP limits on token look-ups, counted in the database so all processes share them.

A fixed window per (kind, client): the counter row for the current window is incremented with
one conditional UPDATE (created on first use; a racing INSERT falls back to the UPDATE). The
client key is an HMAC of the IP address, so the table holds no addresses. Old windows are
deleted now and then by whoever opens a new window.

Two limits apply to ``/s/<token>`` and ``/e/<token>`` (settings, per window of
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
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from samtykke.portal.models import LookupCounter

ALL = "all"
FAILED = "failed"


def window_seconds() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_WINDOW_SECONDS", 600))


def limit_for(kind: str) -> int:
    if kind == FAILED:
        return int(getattr(settings, "PORTAL_FAILED_LOOKUPS_PER_WINDOW", 10))
    return int(getattr(settings, "PORTAL_LOOKUPS_PER_WINDOW", 60))


def client_key(kind: str, ip: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{ip}".encode(), hashlib.sha256
    ).hexdigest()


def _window_start(now: dt.datetime) -> dt.datetime:
    seconds = window_seconds()
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def count(kind: str, ip: str) -> int:
    """Look-ups of ``kind`` by ``ip`` in the current window, without adding one."""
    found = (
        LookupCounter.objects.filter(
            key=client_key(kind, ip), window_start=_window_start(timezone.now())
        )
        .values_list("count", flat=True)
        .first()
    )
    return found or 0


def is_limited(ip: str) -> bool:
    """True when this client used up either limit in the current window."""
    return count(ALL, ip) >= limit_for(ALL) or count(FAILED, ip) >= limit_for(FAILED)


def hit(kind: str, ip: str) -> int:
    """Count one look-up; returns the count in the current window (this one included)."""
    key = client_key(kind, ip)
    start = _window_start(timezone.now())
    rows = LookupCounter.objects.filter(key=key, window_start=start)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                LookupCounter.objects.create(key=key, window_start=start, count=1)
            _forget_old(start)
            return 1
        except IntegrityError:  # another process opened the window first
            rows.update(count=F("count") + 1)
    return rows.values_list("count", flat=True).first() or 1


def _forget_old(start: dt.datetime) -> None:
    LookupCounter.objects.filter(window_start__lt=start - dt.timedelta(days=1)).delete()
