"""Sveve's HTTP SMS API (sveve.no, Norway).

- send: ``POST /SMS/SendMessage`` with JSON ``{"user", "passwd", "f": "json", "messages":
  [{"to", "msg", "from", "ref", "reply"}]}``; answer ``{"response": {"msgOkCount",
  "stdSMSCount", "ids": [...], "errors": [{"number", "message"}], "fatalError"}}`` (HTTP 200
  even for errors; 429 when more than five calls run at once).
- find_sent: not offered by the API → ``FindSentUnsupported``.
- delivery reports: Sveve calls the URL set in its account with ``number``, ``id``, ``status``
  (true/false), ``ref`` (our reference), ``errorCode``, ``errorDesc`` as query parameters; the
  same URL receives replies with ``number``, ``msg`` (and ``id`` of the message replied to).
  Ours carry a secret: ``/hooks/sms/sveve/delivery/<SAMTYKKE_SVEVE_WEBHOOK_SECRET>/`` and
  ``/hooks/sms/sveve/inbound/<route secret>/``.

Confirmed from public clients: the JSON send call, its answer, the callback parameters. Not
confirmed: the number format Sveve prefers for foreign numbers (sent here as 00 + digits; a
Norwegian number as its 8 digits) and the wording of its error messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import httpx
from django.conf import settings
from django.utils import timezone

from samtykke.messaging.reports import DeliveryReport, DeliveryStatus
from samtykke.messaging.sms.base import (
    FAILED,
    SENT,
    FindSentUnsupported,
    SendResult,
    SentMessage,
    SmsMessage,
)
from samtykke.messaging.sms.http import (
    HttpSmsBackend,
    ProviderRequest,
    SmsConfigurationError,
    json_or_empty,
)
from samtykke.messaging.sms.twilio import E164

BAD_LOGIN = "Feil brukernavn/passord"


def sveve_number(e164: str) -> str:
    if not E164.match(e164):
        raise ValueError(f"{e164!r} is not a number in E.164 form (+4791234567).")
    if e164.startswith("+47") and len(e164) == 11:
        return e164[3:]
    return "00" + e164[1:]


class SveveBackend(HttpSmsBackend):
    name = "sveve"
    supports_find_sent = False

    def __init__(self, *, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self.base_url = settings.SVEVE_BASE_URL

    def build_send(self, message: SmsMessage) -> ProviderRequest:
        if not message.sender:
            raise SmsConfigurationError("No sender: set the dealer's SMS sender name.")
        sms = {
            "to": sveve_number(message.to),
            "msg": message.body,
            "from": message.sender,
            "ref": message.reference,
            "reply": message.sender.lstrip("+").isdigit(),  # a name cannot take replies
        }
        payload = {
            "user": settings.SVEVE_USER,
            "passwd": settings.SVEVE_PASSWORD,
            "f": "json",
            "messages": [sms],
        }
        return ProviderRequest("POST", "/SMS/SendMessage", json=payload)

    def parse_send(self, message: SmsMessage, response: httpx.Response) -> SendResult:
        if response.status_code != 200:
            return SendResult(
                FAILED,
                error=f"Sveve HTTP {response.status_code}: {response.text[:200]}",
                permanent=response.status_code != 404,
            )
        body = json_or_empty(response).get("response")
        if not isinstance(body, dict):
            raise ValueError("no 'response' object")
        fatal = str(body.get("fatalError") or "")
        if fatal:  # the whole call was refused: credentials, credit, a malformed call
            return SendResult(FAILED, error=f"Sveve: {fatal}", error_code="fatal")
        errors = body.get("errors") or []
        if errors:
            reason = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))
            return SendResult(FAILED, error=f"Sveve: {reason}", error_code="number", permanent=True)
        ids = [i for i in body.get("ids") or [] if i]
        if not ids:
            raise ValueError("no message id in Sveve's answer")
        return SendResult(SENT, provider_id=str(ids[0]))

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        raise FindSentUnsupported("Sveve's API cannot list sent messages.")


def e164_from_sveve(number: str) -> str:
    digits = number.strip().replace(" ", "")
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("+"):
        return digits
    if len(digits) == 8:
        return "+47" + digits
    if digits.startswith("47") and len(digits) == 10:
        return "+" + digits
    return digits


def parse_delivery(params: Mapping[str, str]) -> DeliveryReport | None:
    provider_id = params.get("id", "")
    status = params.get("status", "").lower()
    if not provider_id or status not in ("true", "false"):
        return None
    delivered = status == "true"
    code = params.get("errorCode", "")
    return DeliveryReport(
        provider="sveve",
        provider_id=provider_id,
        reference=params.get("ref", ""),
        status=DeliveryStatus.DELIVERED if delivered else DeliveryStatus.FAILED,
        at=timezone.now(),
        error="" if delivered else (params.get("errorDesc") or f"Sveve error {code}".strip()),
        error_code=code,
        raw=dict(params),
    )
