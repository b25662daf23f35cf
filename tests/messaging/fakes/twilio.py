"""A fake Twilio: Messages API (create, list), signed status callbacks and inbound SMS."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from tests.messaging.fakes.base import E164, Answer, Call, FakeProvider, Received, _json


def twilio_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    payload = url + "".join(k + v for k, v in sorted(set(params)))
    return base64.b64encode(
        hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    ).decode()


def _retarget(url: str, target: str | None) -> str:
    """The callback URL with its scheme and host replaced (our server's real address)."""
    if not target:
        return url
    t, u = urlsplit(target), urlsplit(url)
    return urlunsplit((t.scheme, t.netloc, u.path, u.query, u.fragment))


def _twilio_error(status: int, code: int, message: str) -> Answer:
    return _json(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def _parse_when(value: str) -> tuple[dt.datetime, bool]:
    """A DateSent filter value: (moment, is_whole_day)."""
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), True
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")), False


class FakeTwilio(FakeProvider):
    name = "twilio"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_sid = "AC" + secrets.token_hex(16)
        self.auth_token = secrets.token_hex(16)
        self._by_sid: dict[str, dict[str, Any]] = {}

    def settings_values(self) -> dict[str, Any]:
        return {
            "SMS_BACKEND": "twilio",
            "TWILIO_BASE_URL": self.url,
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_FROM": "",
        }

    @property
    def base_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def _authorized(self, call: Call) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return hmac.compare_digest(call.headers.get("authorization", ""), f"Basic {expected}")

    def dispatch(self, call: Call) -> Answer:
        if not call.path.startswith("/2010-04-01/Accounts/"):
            return _twilio_error(404, 20404, "The requested resource was not found")
        if not self._authorized(call) or not call.path.startswith(
            f"/2010-04-01/Accounts/{self.account_sid}/"
        ):
            return _twilio_error(401, 20003, "Authenticate")
        if call.path != self.base_path:
            return _twilio_error(404, 20404, "The requested resource was not found")
        if call.method == "POST":
            return self.handle_send(call, lambda: self._create(call))
        return self._list(call)

    def _create(self, call: Call) -> Answer:
        if "application/x-www-form-urlencoded" not in call.headers.get("content-type", ""):
            return _twilio_error(400, 20001, "Expected a form-encoded body")
        form = call.form()
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From", ""), form.get("MessagingServiceSid", "")
        if not to:
            return _twilio_error(400, 21604, "A 'To' phone number is required.")
        if not sender and not service:
            return _twilio_error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return _twilio_error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return _twilio_error(400, 21617, "The concatenated message body exceeds 1600.")
        if not E164.match(to) or to in self.invalid_numbers:
            return _twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.blocked_numbers:
            return _twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
        now = dt.datetime.now(dt.UTC)
        sid = "SM" + uuid.uuid4().hex
        stamp = format_datetime(now)
        resource = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender or None,
            "messaging_service_sid": service or None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "to": to,
            "uri": f"{self.base_path[:-5]}/{sid}.json",
        }
        callback = form.get("StatusCallback", "")
        with self._lock:
            self._by_sid[sid] = {**resource, "_at": now, "_callback": callback}
        self._accept(Received(sid, to, body, sender or service, "", now, callback))
        return _json(201, resource)

    def _list(self, call: Call) -> Answer:
        query = dict(call.query)
        try:
            size = min(int(query.get("PageSize", "50")), 1000)
            page = int(query.get("Page", "0"))
            bounds = []
            for key, op in (("DateSent", "="), ("DateSent>", ">="), ("DateSent<", "<=")):
                if key in query:
                    bounds.append((op, *_parse_when(query[key])))
        except ValueError:
            return _twilio_error(400, 20001, "Invalid parameter")
        with self._lock:
            items = list(self._by_sid.values())
        items.sort(key=lambda m: m["_at"], reverse=True)

        def keep(m: dict[str, Any]) -> bool:
            if "To" in query and m["to"] != query["To"]:
                return False
            if "From" in query and m["from"] != query["From"]:
                return False
            for op, moment, whole_day in bounds:
                at = m["_at"]
                if whole_day:
                    day = moment.date()
                    ok = {"=": at.date() == day, ">=": at.date() >= day, "<=": at.date() <= day}
                else:
                    ok = {"=": at == moment, ">=": at >= moment, "<=": at <= moment}
                if not ok[op]:
                    return False
            return True

        matched = [m for m in items if keep(m)]
        chunk = matched[page * size : (page + 1) * size]
        base = [(k, v) for k, v in call.query if k not in ("Page", "PageToken")]

        def uri(n: int) -> str:
            return f"{self.base_path}?{urlencode([*base, ('Page', str(n))])}"

        more = (page + 1) * size < len(matched)
        return _json(
            200,
            {
                "messages": [{k: v for k, v in m.items() if not k.startswith("_")} for m in chunk],
                "page": page,
                "page_size": size,
                "start": page * size,
                "end": page * size + max(len(chunk) - 1, 0),
                "uri": uri(page),
                "first_page_uri": uri(0),
                "next_page_uri": uri(page + 1) if more else None,
                "previous_page_uri": uri(page - 1) if page else None,
            },
        )

    # --- calling back -----------------------------------------------------------------------
    def signed_post(
        self, url: str, params: dict[str, str], *, target: str | None = None, token: str = ""
    ) -> httpx.Response:
        signature = twilio_signature(url, params.items(), token or self.auth_token)
        return httpx.post(
            _retarget(url, target),
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=10,
        )

    def report_delivery(
        self,
        sid: str,
        status: str = "delivered",
        *,
        error_code: str = "",
        target: str | None = None,
    ) -> httpx.Response:
        with self._lock:
            message = self._by_sid[sid]
            message["status"] = status
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": self.account_sid,
            "From": message["from"] or "",
            "To": message["to"],
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            params["ErrorCode"] = error_code
        return self.signed_post(message["_callback"], params, target=target)

    def send_inbound(
        self,
        url: str,
        *,
        sender: str,
        body: str,
        to: str = "+4759440000",
        sid: str = "",
        target: str | None = None,
    ) -> httpx.Response:
        params = {
            "MessageSid": sid or "SM" + uuid.uuid4().hex,
            "SmsSid": sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        return self.signed_post(url, params, target=target)
