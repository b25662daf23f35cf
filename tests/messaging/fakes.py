"""Local fake SMS providers that speak Twilio's, LINK Mobility's and Sveve's HTTP APIs.

Each fake is a small threaded HTTP server on 127.0.0.1 (port 0), for tests and benchmarks:

    with FakeTwilio() as fake:
        fake.configure(settings)            # pytest-django's `settings`: backend + URLs + keys
        backend = get_sms_backend()         # now talks to the fake
        ...
        assert fake.count(to="+4791234567") == 1       # every accepted message is counted
        assert not fake.duplicates()                    # (to, body) pairs received twice
        fake.report_delivery(sid, "delivered", target=live_server.url)  # signed status callback

- ``accepted``: every message the provider accepted (``Received``: id, to, body, reference,
  at); ``attempts``: every send call, answered or not; ``count(to=…, body=…)``, ``counts()``,
  ``duplicates()``.
- Faults: ``fail_rate`` (answer 500, nothing accepted), ``hang_rate`` (accept the message, then
  hold the answer ``hang_seconds`` — past the client's timeout — the nasty case where the
  provider has it but we don't know), ``fail_next("500", "hang", …)`` for exact sequences;
  ``invalid_numbers``/``blocked_numbers`` get the provider's permanent error.
- Twilio's list endpoint (``GET …/Messages.json`` with ``To``, ``From``, ``DateSent``,
  ``DateSent>``/``DateSent<`` and paging) lists what was accepted.
- Delivery reports and inbound SMS are posted back like the provider does (Twilio: signed form
  posts to the StatusCallback URL; LINK: JSON to the gate URL; Sveve: GET with parameters).
"""

from __future__ import annotations

import argparse
import base64
import collections
import datetime as dt
import hashlib
import hmac
import itertools
import json
import random
import re
import secrets
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class Received:
    id: str
    to: str
    body: str
    sender: str
    reference: str
    at: dt.datetime
    callback: str = ""  # where delivery reports go (Twilio's StatusCallback)


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"


@dataclass
class Call:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def _json(status: int, value: Any) -> Answer:
    return Answer(status, json.dumps(value).encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms wait for a delayed ACK between header and body
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        call = Call(
            self.command,
            parts.path,
            parse_qsl(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        fake = self.server.fake
        answer = fake.control(call) if call.path.startswith("/_fake/") else fake.dispatch(call)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    fake: FakeProvider

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) is part of the game, not an error


class FakeProvider:
    """What the three fakes share: the server, the counting, the faults."""

    name = "fake"

    def __init__(
        self,
        *,
        fail_rate: float = 0.0,
        hang_rate: float = 0.0,
        hang_seconds: float = 3.0,
        seed: int | None = None,
    ) -> None:
        self.fail_rate = fail_rate
        self.hang_rate = hang_rate
        self.hang_seconds = hang_seconds
        self.invalid_numbers: set[str] = set()
        self.blocked_numbers: set[str] = set()
        self.accepted: list[Received] = []
        self.attempts = 0
        self.faults_served: collections.Counter[str] = collections.Counter()
        self._scripted: collections.deque[str] = collections.deque()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- life -------------------------------------------------------------------------------
    def start(self) -> FakeProvider:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- counting ---------------------------------------------------------------------------
    def count(self, *, to: str | None = None, body: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for m in self.accepted
                if (to is None or m.to == to) and (body is None or m.body == body)
            )

    def counts(self) -> collections.Counter[tuple[str, str]]:
        with self._lock:
            return collections.Counter((m.to, m.body) for m in self.accepted)

    def duplicates(self) -> dict[tuple[str, str], int]:
        return {key: n for key, n in self.counts().items() if n > 1}

    def find(self, message_id: str) -> Received:
        with self._lock:
            return next(m for m in self.accepted if m.id == message_id)

    def reset(self) -> None:
        with self._lock:
            self.accepted.clear()
            self.attempts = 0
            self.faults_served.clear()
            self._scripted.clear()

    # --- faults -----------------------------------------------------------------------------
    def fail_next(self, *kinds: str) -> None:
        """The next send calls answer with these faults in order: "500" or "hang"."""
        for kind in kinds:
            if kind not in ("500", "hang"):
                raise ValueError(kind)
        with self._lock:
            self._scripted.extend(kinds)

    def _fault(self) -> str:
        with self._lock:
            self.attempts += 1
            if self._scripted:
                kind = self._scripted.popleft()
            else:
                roll = self._random.random()
                kind = (
                    "500"
                    if roll < self.fail_rate
                    else "hang"
                    if roll < self.fail_rate + self.hang_rate
                    else ""
                )
            if kind:
                self.faults_served[kind] += 1
            return kind

    def _accept(self, message: Received) -> None:
        with self._lock:
            self.accepted.append(message)

    def _hang(self) -> None:
        self._stopping.wait(self.hang_seconds)

    def handle_send(self, call: Call, accept: Any) -> Answer:
        """Run a send call through the faults: ``accept()`` validates, records and answers."""
        fault = self._fault()
        if fault == "500":
            return self.server_error()
        answer: Answer = accept()
        if fault == "hang":
            self._hang()
        return answer

    def server_error(self) -> Answer:
        return _json(500, {"message": "Internal Server Error", "status": 500})

    def dispatch(self, call: Call) -> Answer:
        raise NotImplementedError

    # --- wiring and remote control ----------------------------------------------------------
    def settings_values(self) -> dict[str, Any]:
        """The Django settings that point samtykke at this fake."""
        raise NotImplementedError

    def configure(self, settings: Any) -> None:
        for name, value in self.settings_values().items():
            setattr(settings, name, value)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            accepted, attempts = len(self.accepted), self.attempts
            faults = dict(self.faults_served)
        return {
            "accepted": accepted,
            "attempts": attempts,
            "duplicates": sum(n - 1 for n in self.duplicates().values()),
            "faults": faults,
        }

    def control(self, call: Call) -> Answer:
        """``/_fake/…``: the same counting and faults over HTTP, for a fake in another process.

        GET /_fake/stats; GET /_fake/messages[?to=…]; POST /_fake/faults {"fail_rate",
        "hang_rate", "hang_seconds"}; POST /_fake/reset.
        """
        if call.path == "/_fake/stats":
            return _json(200, self.stats())
        if call.path == "/_fake/messages":
            to = dict(call.query).get("to")
            with self._lock:
                items = [m for m in self.accepted if to is None or m.to == to]
            return _json(
                200,
                [
                    {
                        "id": m.id,
                        "to": m.to,
                        "body": m.body,
                        "reference": m.reference,
                        "at": m.at.isoformat(),
                    }
                    for m in items
                ],
            )
        if call.path == "/_fake/faults" and call.method == "POST":
            change = call.json() or {}
            with self._lock:
                self.fail_rate = float(change.get("fail_rate", self.fail_rate))
                self.hang_rate = float(change.get("hang_rate", self.hang_rate))
                self.hang_seconds = float(change.get("hang_seconds", self.hang_seconds))
            return _json(200, {"ok": True})
        if call.path == "/_fake/reset" and call.method == "POST":
            self.reset()
            return _json(200, {"ok": True})
        return _json(404, {"message": "unknown control"})


# --- Twilio -----------------------------------------------------------------------------------
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


# --- LINK Mobility ----------------------------------------------------------------------------
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


# --- Sveve ------------------------------------------------------------------------------------
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


@dataclass
class FakeSet:
    """All three, for tests that want each provider (``with FakeSet() as fakes: …``)."""

    twilio: FakeTwilio = field(default_factory=FakeTwilio)
    linkmobility: FakeLinkMobility = field(default_factory=FakeLinkMobility)
    sveve: FakeSveve = field(default_factory=FakeSveve)

    def __enter__(self) -> FakeSet:
        for fake in (self.twilio, self.linkmobility, self.sveve):
            fake.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for fake in (self.twilio, self.linkmobility, self.sveve):
            fake.stop()


FAKES: dict[str, type[FakeProvider]] = {
    "twilio": FakeTwilio,
    "linkmobility": FakeLinkMobility,
    "sveve": FakeSveve,
}


class FakeProcess:
    """A fake in its own process (its own GIL: for benchmarks and multi-process tests).

    with FakeProcess("twilio", fail_rate=0.3) as fake:
        fake.configure(settings)      # same settings as the in-process fake
        ...
        fake.stats()                  # {"accepted", "attempts", "duplicates", "faults"}
        fake.messages(to="+47…")      # what it accepted
    """

    def __init__(self, provider: str, **options: float) -> None:
        self.provider = provider
        self.options = options
        self.process: subprocess.Popen[str] | None = None
        self.values: dict[str, Any] = {}

    def __enter__(self) -> FakeProcess:
        args = [sys.executable, "-m", "tests.messaging.fakes", self.provider]
        for name, value in self.options.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(
            args, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.values = json.loads(self.process.stdout.readline())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def url(self) -> str:
        prefix = {"twilio": "TWILIO", "linkmobility": "LINK", "sveve": "SVEVE"}[self.provider]
        return str(self.values[f"{prefix}_BASE_URL"])

    def configure(self, settings: Any) -> None:
        for name, value in self.values.items():
            setattr(settings, name, value)

    def stats(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/_fake/stats", timeout=10).json())

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        params = {"to": to} if to else None
        return list(httpx.get(f"{self.url}/_fake/messages", params=params, timeout=30).json())

    def set_faults(self, **faults: float) -> None:
        httpx.post(f"{self.url}/_fake/faults", json=faults, timeout=10).raise_for_status()


def _serve(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a fake SMS provider until stdin closes.")
    parser.add_argument("provider", choices=sorted(FAKES))
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--hang-rate", type=float, default=0.0)
    parser.add_argument("--hang-seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    fake = FAKES[args.provider](
        fail_rate=args.fail_rate,
        hang_rate=args.hang_rate,
        hang_seconds=args.hang_seconds,
        seed=args.seed,
    )
    with fake:
        print(json.dumps(fake.settings_values()), flush=True)
        sys.stdin.read()  # until the parent closes it (or dies)


if __name__ == "__main__":
    _serve()
