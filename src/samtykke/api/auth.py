"""API authentication: ``Authorization: Bearer <api key>``, scoped to the key's dealer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from samtykke.api import ratelimit
from samtykke.api.errors import ApiError
from samtykke.tenancy.models import ApiKey, Dealer


class ApiKeyAuth(HttpBearer):
    """A valid, unrevoked key, within its rate limit (else 429 with Retry-After)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = ApiKey.authenticate(token.strip())
        if key is None:
            return None
        request.api_key = key  # type: ignore[attr-defined]
        request.dealer = key.dealer  # type: ignore[attr-defined]
        verdict = ratelimit.hit(key.pk)
        if not verdict.allowed:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests: at most {verdict.limit} a minute per API key.",
                {"limit": verdict.limit, "retry_after": verdict.retry_after},
                headers={"Retry-After": str(verdict.retry_after)},
            )
        return key


def request_dealer(request: Any) -> Dealer:
    """The dealer of the authenticated key: every API query is scoped to it."""
    dealer: Dealer = request.auth.dealer
    return dealer


def request_key(request: Any) -> ApiKey:
    key: ApiKey = request.auth
    return key
