"""Personal links to the customer's page: ``PUBLIC_URL/s/<token>``.

The token carries 192 random bits (base64url); only its SHA-256 is stored, so a database leak
gives no working link. Links expire (60 days by default) and are revoked when a customer is erased.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from samtykke.consent.models import PersonalLink
from samtykke.customers.models import Customer

TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return f"{settings.PUBLIC_URL}/s/{token}"


@dataclass(frozen=True)
class IssuedLink:
    link: PersonalLink
    token: str

    @property
    def url(self) -> str:
        return link_url(self.token)


def new_token() -> tuple[str, str]:
    """A fresh (token, hash) pair."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def issue_personal_link(*, customer: Customer, origin: str, days: int | None = None) -> IssuedLink:
    if customer.is_erased:
        raise ValueError("An erased customer gets no personal link.")
    token, token_hash = new_token()
    link = PersonalLink.objects.create(
        dealer_id=customer.dealer_id,
        customer=customer,
        token_hash=token_hash,
        origin=origin,
        expires_at=timezone.now() + dt.timedelta(days=days or settings.PERSONAL_LINK_DAYS),
    )
    return IssuedLink(link, token)
