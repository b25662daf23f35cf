"""Throttling repeated failed logins, per username and per IP address.

Failures live in the database (``LoginFailure``), so every web process on every machine counts
the same attempts. After ``USER_LIMIT`` failures for a username (or ``IP_LIMIT`` from one address)
within ``WINDOW``, further attempts are refused without checking the password until the oldest
failure leaves the window.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone

from samtykke.backoffice.models import LoginFailure

WINDOW = dt.timedelta(minutes=15)
USER_LIMIT = 5
IP_LIMIT = 20


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Proxies' X-Forwarded-For is not trusted: it is the client's to forge."""
    return request.META.get("REMOTE_ADDR") or None


def _wait_for(failures: list[dt.datetime], limit: int, now: dt.datetime) -> dt.timedelta | None:
    if len(failures) < limit:
        return None
    oldest = sorted(failures)[-limit]
    return max(oldest + WINDOW - now, dt.timedelta(seconds=1))


def wait_before_login(username: str, ip: str | None) -> dt.timedelta | None:
    """How long this username or address must wait, or None when a login may be tried."""
    now = timezone.now()
    since = now - WINDOW
    user_times = list(
        LoginFailure.objects.filter(username=username.strip().lower(), at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[:USER_LIMIT]
    )
    waits = [_wait_for(user_times, USER_LIMIT, now)]
    if ip:
        ip_times = list(
            LoginFailure.objects.filter(ip=ip, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[:IP_LIMIT]
        )
        waits.append(_wait_for(ip_times, IP_LIMIT, now))
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def minutes(wait: dt.timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def record_failure(username: str, ip: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.create(username=username.strip().lower()[:150], ip=ip, at=now)
    # Keep the table small: what is older than the window no longer counts.
    oldest = LoginFailure.objects.aggregate(m=Min("at"))["m"]
    if oldest is not None and oldest < now - 2 * WINDOW:
        LoginFailure.objects.filter(at__lt=now - WINDOW).delete()


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.strip().lower()).delete()
