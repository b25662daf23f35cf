"""A fake LINK Mobility: REST /sms/send, delivery reports to a gate URL, MO messages."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import secrets
import uuid
from typing import Any

import httpx

from tests.messaging.fakes.base import E164, Answer, Call, FakeProvider, Received, _json


class FakeLinkMobility(FakeProvider):
    name = "linkmobility"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.username = "samtykke"
        self.password = secrets.token_hex(12)
        self.platform_id = "COMMON_API"
        self.partner_id = "12345"
        self.gate_id = "gate-" + secrets.token_hex(4)
        self.webhook_secret = secrets.token_urlsafe(16)
        self.requests: list[dict[str, Any]] = []

    def settings_values(self) -> dict[str, Any]:
        return {
            "SMS_BACKEND": "linkmobility",
            "LINK_BASE_URL": self.url,
            "LINK_USERNAME": self.username,
            "LINK_PASSWORD": self.password,
            "LINK_PLATFORM_ID": self.platform_id,
            "LINK_PLATFORM_PARTNER_ID": self.partner_id,
            "LINK_DELIVERY_GATE_ID": self.gate_id,
            "LINK_WEBHOOK_SECRET": self.webhook_secret,
        }

    def dispatch(self, call: Call) -> Answer:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if not hmac.compare_digest(call.headers.get("authorization", ""), f"Basic {expected}"):
            return _json(401, {"description": "Unauthorized"})
        if call.method != "POST" or call.path != "/sms/send":
            return _json(404, {"description": "Not found"})
        return self.handle_send(call, lambda: self._send(call))

    def _send(self, call: Call) -> Answer:
        try:
            payload = call.json()
        except ValueError:
            return _json(400, {"description": "Malformed JSON", "resultCode": 105})
        missing = [
            k
            for k in ("source", "destination", "platformId", "platformPartnerId", "userData")
            if not isinstance(payload, dict) or not payload.get(k)
        ]
        if missing:
            return _json(400, {"description": f"Missing {', '.join(missing)}", "resultCode": 105})
        if (payload["platformId"], payload["platformPartnerId"]) != (
            self.platform_id,
            self.partner_id,
        ):
            return _json(403, {"description": "Unknown platform partner"})
        to = payload["destination"]
        if not E164.match(to) or to in self.invalid_numbers:
            return _json(400, {"description": "Number error", "resultCode": 2106})
        if to in self.blocked_numbers:
            return _json(400, {"description": "Destination blocked", "resultCode": 2105})
        message_id = uuid.uuid4().hex[:24]
        self.requests.append(payload)
        self._accept(
            Received(
                message_id,
                to,
                payload["userData"],
                payload["source"],
                str(payload.get("refId", "")),
                dt.datetime.now(dt.UTC),
            )
        )
        return _json(200, {"messageId": message_id, "resultCode": 1005, "description": "Queued"})

    def report_delivery(
        self, message_id: str, result_code: int = 1001, *, url: str
    ) -> httpx.Response:
        message = self.find(message_id)
        now = dt.datetime.now(dt.UTC).isoformat()
        report = {
            "id": message_id,
            "refId": message.reference,
            "operator": "no.telenor",
            "sentTimestamp": message.at.isoformat(),
            "timestamp": now,
            "resultCode": result_code,
            "operatorResultCode": "0",
            "segments": 1,
            "customParameters": {},
        }
        return httpx.post(url, json=report, timeout=10)

    def send_inbound(
        self, url: str, *, sender: str, body: str, to: str = "2200", message_id: str = ""
    ) -> httpx.Response:
        message = {
            "messageId": message_id or uuid.uuid4().hex[:24],
            "source": sender,
            "sourceTON": "MSISDN",
            "destination": to,
            "destinationTON": "SHORTNUMBER",
            "userData": body,
            "platformId": self.platform_id,
            "platformPartnerId": self.partner_id,
            "operator": "no.telenor",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        }
        return httpx.post(url, json=message, timeout=10)
