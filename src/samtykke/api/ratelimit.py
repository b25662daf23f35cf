"""Per-key rate limiting: a fixed one-minute window counted where every process sees it.

The counter lives in the database (one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per
request, so it works on the embedded SQLite default as well as PostgreSQL), or in Redis when
``SAMTYKKE_REDIS_URL`` is configured (``INCR`` + ``EXPIRE``).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection

from samtykke.api.models import RateLimitWindow

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window resets


@cache
def _redis() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _count_in_database(api_key_id: int, window_start: int) -> int:
    table = RateLimitWindow._meta.db_table  # ours; the values are parameters
    sql = (
        f"INSERT INTO {table} (api_key_id, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (api_key_id, window_start) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [api_key_id, window_start])
        row = cursor.fetchone()
    if random.random() < 0.01:  # keep the table small: old windows are of no use
        RateLimitWindow.objects.filter(window_start__lt=window_start - 3600).delete()
    return int(row[0]) if row else 1


def _count_in_redis(api_key_id: int, window_start: int) -> int:
    key = f"samtykke:ratelimit:{api_key_id}:{window_start}"
    pipe = _redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS * 2)
    count, _ = pipe.execute()
    return int(count)


def hit(api_key_id: int, *, now: float | None = None) -> Verdict:
    """Count one request of the key; ``allowed`` is False once the window's limit is passed."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time() if now is None else now
    window_start = int(now // WINDOW_SECONDS * WINDOW_SECONDS)
    if settings.API_RATE_LIMIT_STORE == "redis":
        count = _count_in_redis(api_key_id, window_start)
    else:
        count = _count_in_database(api_key_id, window_start)
    retry_after = max(1, int(window_start + WINDOW_SECONDS - now + 0.999))
    return Verdict(count <= limit, limit, max(0, limit - count), retry_after)
