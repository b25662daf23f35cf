"""``Idempotency-Key`` on POSTs: a repeated key returns the first answer and changes nothing.

Keys are kept per dealer for 24 hours. The same key with a different request is a 422; a key
whose first request is still running is a 409 (try again). A first answer of 5xx, 401 or 429 is
not kept, so the caller's retry runs the request for real.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from samtykke.api.models import IdempotencyRecord
from samtykke.tenancy.models import ApiKey

HEADER = "Idempotency-Key"
KEEP_FOR = dt.timedelta(hours=24)
ABANDONED_AFTER = dt.timedelta(minutes=2)
NOT_KEPT = {401, 429}


def _error(status: int, code: str, message: str) -> HttpResponse:
    return JsonResponse({"code": code, "message": message, "details": None}, status=status)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _reserve(dealer_id: int, key: str, fingerprint: str) -> IdempotencyRecord | HttpResponse:
    """Our own fresh record, or the answer to give instead of running the request."""
    now = timezone.now()
    records = IdempotencyRecord.objects.for_dealer(dealer_id)
    for _ in range(3):
        try:
            with transaction.atomic():
                return records.create(dealer_id=dealer_id, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass
        found = records.filter(key=key).first()
        if found is None:
            continue
        if found.created_at < now - KEEP_FOR:
            records.filter(pk=found.pk, created_at=found.created_at).delete()
            continue
        if found.fingerprint != fingerprint:
            return _error(
                422,
                "idempotency_key_reused",
                f"{HEADER} {key!r} was used for a different request.",
            )
        if found.status_code is not None:
            return _replay(found)
        if found.created_at < now - ABANDONED_AFTER and records.filter(
            pk=found.pk, status_code__isnull=True, created_at=found.created_at
        ).update(created_at=now):
            found.created_at = now
            return found
        response = _error(
            409, "idempotency_key_in_progress", f"A request with {HEADER} {key!r} is running."
        )
        response["Retry-After"] = "1"
        return response
    return _error(409, "idempotency_key_in_progress", f"{HEADER} {key!r} is busy; try again.")


def idempotent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view decorator (Ninja ``mode="view"``) for every operation; only POSTs are affected."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key:
            return view(request, *args, **kwargs)
        if len(key) > 255:
            return _error(400, "invalid_idempotency_key", f"{HEADER} is at most 255 characters.")
        auth = request.headers.get("Authorization", "")
        api_key = ApiKey.authenticate(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
        if api_key is None:
            return view(request, *args, **kwargs)  # the view answers 401
        reserved = _reserve(api_key.dealer_id, key, _fingerprint(request))
        if isinstance(reserved, HttpResponse):
            return reserved
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.for_dealer(api_key.dealer_id).filter(pk=reserved.pk).delete()
            raise
        records = IdempotencyRecord.objects.for_dealer(api_key.dealer_id).filter(pk=reserved.pk)
        if response.status_code >= 500 or response.status_code in NOT_KEPT:
            records.delete()
        elif not getattr(response, "streaming", False):
            records.update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        return response

    return wrapper


def forget_old_keys() -> int:
    """Delete records past their 24 hours (run from the worker or cron)."""
    deleted, _ = IdempotencyRecord.all_dealers.filter(
        created_at__lt=timezone.now() - KEEP_FOR
    ).delete()
    return deleted
