"""The personal link of a campaign recipient.

The token must be known three times: when the message is built, when a send that was in flight
at a crash is settled by asking the provider for a message containing the link, and in the
reminder. So it is not stored, not even for a moment: it is the HMAC of a random nonce (stored
on the recipient) under a key derived from the server's secret. The database holds the nonce and
the link's SHA-256 (as every personal link), neither of which opens the page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from django.conf import settings

from samtykke.consent.links import hash_token, link_url

NONCE_BYTES = 16


@cache
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"samtykke-campaign-links:" + secret.encode()).digest()


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def token_for(nonce: str) -> str:
    """192 bits of HMAC-SHA256, base64url: as strong as ``consent.links.new_token``."""
    digest = hmac.new(_key(settings.SECRET_KEY), nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def token_and_hash(nonce: str) -> tuple[str, str]:
    token = token_for(nonce)
    return token, hash_token(token)


def url_for(nonce: str) -> str:
    return link_url(token_for(nonce))
