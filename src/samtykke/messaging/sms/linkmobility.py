"""LINK Mobility's SMS REST API (the "Common Platform" gateway, e.g. n-eu.linkmobility.io).

- send: ``POST /sms/send``, basic auth, JSON ``source``, ``sourceTON``, ``destination``,
  ``userData``, ``platformId``, ``platformPartnerId``, ``refId`` (our reference, given back in
  the delivery report), ``useDeliveryReport`` and ``deliveryReportGates`` (the gate whose URL
  LINK posts reports to: ``/hooks/sms/linkmobility/delivery/<SAMTYKKE_LINK_WEBHOOK_SECRET>/``).
  Answer: ``{"messageId", "resultCode", "description"}``; 1005 (queued) and 1000 (sent to the
  operator) mean accepted.
- find_sent: the REST API has no listing of sent messages → ``FindSentUnsupported``.
- delivery reports: JSON ``{"id", "refId", "resultCode", "operator", "timestamp", …}``;
  inbound SMS (MO): JSON ``{"source", "destination", "userData", "messageId", …}``.

Confirmed from public clients and LINK's published OpenAPI shape: the send request and its
answer, result codes, the delivery report fields. Not confirmed: the exact body of a 4xx
answer (read here as ``{"resultCode", "description"}`` or plain text) and the MO field names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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

ACCEPTED = {1000, 1005, 1011, 1012, 1013}
DELIVERED = {1001, 1007, 1008}
# Worth another try later: routing/throttling/timeouts, operator hiccups, temporary blocks.
TEMPORARY = {0, 1, 3, 4, 5, 104, 105, 1004, 2107, 2201}


class LinkMobilityBackend(HttpSmsBackend):
    name = "linkmobility"
    supports_find_sent = False

    def __init__(self, *, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self.base_url = settings.LINK_BASE_URL

    def auth(self) -> tuple[str, str]:
        return (settings.LINK_USERNAME, settings.LINK_PASSWORD)

    def build_send(self, message: SmsMessage) -> ProviderRequest:
        if not E164.match(message.to):
            raise ValueError(f"{message.to!r} is not a number in E.164 form (+4791234567).")
        if not message.sender:
            raise SmsConfigurationError("No sender: set the dealer's SMS sender name.")
        numeric = message.sender.lstrip("+").isdigit()
        payload: dict[str, object] = {
            "source": message.sender,
            "sourceTON": "MSISDN" if numeric else "ALPHANUMERIC",
            "destination": message.to,
            "userData": message.body,
            "platformId": settings.LINK_PLATFORM_ID,
            "platformPartnerId": settings.LINK_PLATFORM_PARTNER_ID,
            "refId": message.reference,
        }
        if settings.LINK_DELIVERY_GATE_ID:
            payload["useDeliveryReport"] = True
            payload["deliveryReportGates"] = [settings.LINK_DELIVERY_GATE_ID]
        return ProviderRequest("POST", "/sms/send", json=payload)

    def parse_send(self, message: SmsMessage, response: httpx.Response) -> SendResult:
        body = json_or_empty(response)
        code = _int(body.get("resultCode"))
        reason = str(body.get("description") or response.text[:200] or response.reason_phrase)
        if response.is_success and body.get("messageId") and (code is None or code in ACCEPTED):
            return SendResult(SENT, provider_id=str(body["messageId"]))
        permanent = code not in TEMPORARY and response.status_code != 404
        return SendResult(
            FAILED, error=reason, error_code="" if code is None else str(code), permanent=permanent
        )

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        raise FindSentUnsupported("LINK Mobility's REST API cannot list sent messages.")


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _time(value: object) -> dt.datetime:
    parsed = parse_datetime(str(value)) if value else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def parse_delivery(report: Mapping[str, object]) -> DeliveryReport | None:
    provider_id = str(report.get("id") or "")
    code = _int(report.get("resultCode"))
    if not provider_id or code is None:
        return None
    if code in DELIVERED:
        status = DeliveryStatus.DELIVERED
    elif code in ACCEPTED:
        status = DeliveryStatus.SENT
    else:
        status = DeliveryStatus.FAILED
    comment = str(report.get("comment") or report.get("description") or "")
    return DeliveryReport(
        provider="linkmobility",
        provider_id=provider_id,
        reference=str(report.get("refId") or ""),
        status=status,
        at=_time(report.get("timestamp")),
        error=(comment or f"LINK result {code}") if status == DeliveryStatus.FAILED else "",
        error_code=str(code),
        raw=dict(report),
    )


def parse_inbound(message: Mapping[str, object]) -> tuple[str, str, str, str] | None:
    """(provider id, from, to, text) of an MO message, or None when it is not one."""
    content = message.get("content")
    text = message.get("userData")
    if text is None and isinstance(content, Mapping):
        text = content.get("userData") or content.get("text")
    provider_id = message.get("messageId") or message.get("id")
    source = message.get("source")
    if not provider_id or not source or text is None:
        return None
    return str(provider_id), str(source), str(message.get("destination") or ""), str(text)
