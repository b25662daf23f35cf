"""Twilio Programmable Messaging (REST API 2010-04-01).

- send: ``POST /2010-04-01/Accounts/{Sid}/Messages.json``, basic auth (Account SID, auth
  token), form-encoded ``To``, ``From`` (or ``MessagingServiceSid``), ``Body``, ``StatusCallback``.
  Our reference rides in the StatusCallback URL (``?ref=…``) so each status report names it.
- find_sent: ``GET …/Messages.json?To=…&DateSent>=YYYY-MM-DD&PageSize=1000`` (the name is
  ``DateSent>``, as Twilio's own clients send it), following
  ``next_page_uri``; filtered here to the exact time and the text.
- webhooks: status callbacks and inbound SMS are form posts signed with ``X-Twilio-Signature``:
  base64(HMAC-SHA1(auth token, URL + every POST parameter's name and value, sorted by name)).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from samtykke.messaging.reports import DeliveryReport, DeliveryStatus
from samtykke.messaging.sms.base import FAILED, SENT, SendResult, SentMessage, SmsMessage
from samtykke.messaging.sms.http import (
    HttpSmsBackend,
    ProviderRequest,
    SmsConfigurationError,
    json_or_empty,
)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
API = "/2010-04-01/Accounts/{sid}/Messages.json"
CLOCK_SKEW = dt.timedelta(minutes=5)

# Errors in OUR set-up (credentials, sender, service): retrying may help once fixed, and the
# recipient is not to blame. Any other 4xx is about this message or number: permanent.
CONFIGURATION_ERRORS = {
    "20003",
    "20404",
    "20429",
    "21212",
    "21603",
    "21606",
    "21659",
    "21703",
    "21704",
}

STATUSES = {
    "accepted": DeliveryStatus.SENT,
    "scheduled": DeliveryStatus.SENT,
    "queued": DeliveryStatus.SENT,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}


class TwilioError(RuntimeError):
    """find_sent could not ask Twilio (network, 5xx, credentials): try again later."""


def status_callback_url(reference: str) -> str:
    query = f"?{urlencode({'ref': reference})}" if reference else ""
    return f"{settings.PUBLIC_URL}{reverse('messaging:twilio_status')}{query}"


class TwilioBackend(HttpSmsBackend):
    name = "twilio"

    def __init__(self, *, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.base_url = settings.TWILIO_BASE_URL

    def auth(self) -> tuple[str, str]:
        return (self.account_sid, self.auth_token)

    @property
    def messages_path(self) -> str:
        return API.format(sid=self.account_sid)

    def build_send(self, message: SmsMessage) -> ProviderRequest:
        if not E164.match(message.to):
            raise ValueError(f"{message.to!r} is not a number in E.164 form (+4791234567).")
        data = {
            "To": message.to,
            "Body": message.body,
            "StatusCallback": status_callback_url(message.reference),
        }
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            data["MessagingServiceSid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        elif settings.TWILIO_FROM or message.sender:
            data["From"] = settings.TWILIO_FROM or message.sender
        else:
            raise SmsConfigurationError("No sender: set the dealer's SMS sender name.")
        return ProviderRequest("POST", self.messages_path, data=data)

    def parse_send(self, message: SmsMessage, response: httpx.Response) -> SendResult:
        body = json_or_empty(response)
        if response.status_code in (200, 201):
            if body.get("status") in ("failed", "undelivered"):
                return SendResult(
                    FAILED,
                    provider_id=str(body["sid"]),
                    error=str(body.get("error_message") or body["status"]),
                    error_code=str(body.get("error_code") or ""),
                    permanent=True,
                )
            return SendResult(SENT, provider_id=str(body["sid"]))
        code = str(body.get("code") or "")
        reason = str(body.get("message") or response.text[:200] or response.reason_phrase)
        permanent = response.status_code != 404 and code not in CONFIGURATION_ERRORS
        return SendResult(FAILED, error=reason, error_code=code, permanent=permanent)

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        earliest = since - CLOCK_SKEW
        params: dict[str, str] | None = {
            "To": to,
            # On the wire "DateSent>=2026-11-30": the parameter's name is "DateSent>".
            "DateSent>": earliest.astimezone(dt.UTC).date().isoformat(),
            "PageSize": "1000",
        }
        path: str | None = self.messages_path
        found: list[SentMessage] = []
        while path:
            try:
                response = self.client.get(path, params=params)
            except httpx.TransportError as exc:
                raise TwilioError(f"Twilio did not answer: {exc!r}") from exc
            if response.status_code != 200:
                raise TwilioError(f"Twilio HTTP {response.status_code}: {response.text[:200]}")
            page = response.json()
            for item in page.get("messages", []):
                sent = _message(item)
                when = sent.sent_at
                if (
                    sent.to == to
                    and when is not None
                    and when >= earliest
                    and body_contains in sent.body
                    and item.get("direction", "outbound-api").startswith("outbound")
                ):
                    found.append(sent)
            path, params = page.get("next_page_uri"), None
        return found


def _when(value: object) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None


def _message(item: Mapping[str, object]) -> SentMessage:
    return SentMessage(
        provider_id=str(item.get("sid", "")),
        to=str(item.get("to", "")),
        body=str(item.get("body", "")),
        sent_at=_when(item.get("date_sent")) or _when(item.get("date_created")),
        status=str(item.get("status", "")),
    )


# --- webhooks ---------------------------------------------------------------------------------
def compute_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """Twilio's request signature: URL, then each name+value sorted by name (then value);
    a repeated identical pair counts once, as in Twilio's own validators."""
    payload = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str) -> list[str]:
    """Twilio may sign the URL with or without the default port; accept either."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    variants = [url]
    if parts.port is None and default is not None:
        variants.append(urlunsplit(parts._replace(netloc=f"{host}:{default}")))
    elif parts.port == default:
        variants.append(urlunsplit(parts._replace(netloc=host)))
    return variants


def is_valid_signature(
    url: str, params: Iterable[tuple[str, str]], signature: str, auth_token: str
) -> bool:
    if not signature or not auth_token:
        return False
    pairs = list(params)
    return any(
        hmac.compare_digest(compute_signature(candidate, pairs, auth_token), signature)
        for candidate in _url_variants(url)
    )


def parse_status(params: Mapping[str, str], reference: str) -> DeliveryReport | None:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    if not sid or not status:
        return None
    normalized = STATUSES.get(status, DeliveryStatus.SENT)
    code = params.get("ErrorCode") or ""
    error = f"Twilio {status}" + (f" (error {code})" if code else "")
    return DeliveryReport(
        provider="twilio",
        provider_id=sid,
        reference=reference,
        status=normalized,
        at=timezone.now(),
        error=error if normalized == DeliveryStatus.FAILED else "",
        error_code=code,
        raw=dict(params),
    )
