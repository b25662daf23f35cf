"""A fake Sveve: /SMS/SendMessage (JSON or parameters), delivery reports and replies."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from typing import Any

import httpx

from tests.messaging.fakes.base import Answer, Call, FakeProvider, Received, _json


class FakeSveve(FakeProvider):
    name = "sveve"
    NUMBER = re.compile(r"^(?:[49]\d{7}|00[1-9]\d{6,14})$")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = "samtykke"
        self.password = secrets.token_hex(12)
        self.webhook_secret = secrets.token_urlsafe(16)
        self._ids = itertools.count(int(dt.datetime.now().timestamp()) % 10**6 * 1000)

    def settings_values(self) -> dict[str, Any]:
        return {
            "SMS_BACKEND": "sveve",
            "SVEVE_BASE_URL": self.url,
            "SVEVE_USER": self.user,
            "SVEVE_PASSWORD": self.password,
            "SVEVE_WEBHOOK_SECRET": self.webhook_secret,
        }

    def dispatch(self, call: Call) -> Answer:
        if call.path != "/SMS/SendMessage":
            return Answer(404, b"Not found", "text/plain")
        return self.handle_send(call, lambda: self._send(call))

    def _send(self, call: Call) -> Answer:
        if call.headers.get("content-type", "").startswith("application/json"):
            try:
                payload = call.json()
                messages = payload["messages"]
                user, password = payload.get("user", ""), payload.get("passwd", "")
            except (ValueError, KeyError, TypeError):
                return _json(200, {"response": {"fatalError": "Ugyldig forespørsel"}})
        else:
            params = dict(call.query) | call.form()
            user, password = params.get("user", ""), params.get("passwd", "")
            messages = [params]
        if (user, password) != (self.user, self.password):
            return _json(200, {"response": {"fatalError": "Feil brukernavn/passord"}})
        ids: list[int] = []
        errors: list[dict[str, str]] = []
        for sms in messages:
            to, text = str(sms.get("to", "")), str(sms.get("msg", ""))
            if not text:
                return _json(200, {"response": {"fatalError": "Meldingstekst mangler"}})
            if not self.NUMBER.match(to) or to in self.invalid_numbers:
                errors.append({"number": to, "message": "Ugyldig mobilnummer"})
                continue
            if to in self.blocked_numbers:
                errors.append({"number": to, "message": "Mottaker har reservert seg"})
                continue
            message_id = next(self._ids)
            ids.append(message_id)
            e164 = "+" + to[2:] if to.startswith("00") else "+47" + to
            self._accept(
                Received(
                    str(message_id),
                    e164,
                    text,
                    str(sms.get("from", "")),
                    str(sms.get("ref", "")),
                    dt.datetime.now(dt.UTC),
                )
            )
        response: dict[str, Any] = {"msgOkCount": len(ids), "stdSMSCount": len(ids), "ids": ids}
        if errors:
            response["errors"] = errors
        return _json(200, {"response": response})

    def report_delivery(
        self, message_id: str, delivered: bool = True, *, url: str, error: str = ""
    ) -> httpx.Response:
        message = self.find(message_id)
        params = {
            "number": message.to.removeprefix("+47"),
            "id": message_id,
            "status": "true" if delivered else "false",
            "ref": message.reference,
        }
        if not delivered:
            params |= {"errorCode": "UNKNOWN_NUMBER", "errorDesc": error or "Unknown number"}
        return httpx.get(url, params=params, timeout=10)

    def send_inbound(
        self, url: str, *, number: str, body: str, replied_to: str = ""
    ) -> httpx.Response:
        params = {"number": number, "msg": body}
        if replied_to:
            params["id"] = replied_to
        return httpx.get(url, params=params, timeout=10)
