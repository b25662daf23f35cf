"""API authentication: ``Authorization: Bearer <api key>``, scoped to the key's dealer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from samtykke.tenancy.models import ApiKey, Dealer


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = ApiKey.authenticate(token.strip())
        if key is not None:
            request.api_key = key  # type: ignore[attr-defined]
            request.dealer = key.dealer  # type: ignore[attr-defined]
        return key


def request_dealer(request: Any) -> Dealer:
    """The dealer of the authenticated key: every API query is scoped to it."""
    dealer: Dealer = request.auth.dealer
    return dealer
