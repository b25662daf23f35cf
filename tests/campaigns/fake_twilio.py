"""A local fake of Twilio's Messages API for the campaign scenarios (127.0.0.1, port 0).

Speaks what the Twilio backend uses: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form
``To``, ``From``, ``Body``, ``StatusCallback``; 201 with the message) and ``GET …/Messages.json``
(``To``, ``DateSent>=``, ``PageSize``; ``{"messages": [...], "next_page_uri": null}``), with basic
auth. It counts every accepted message per number, can fail a share of calls with 500s (before
storing) and timeouts (after storing: the message went out, the answer never came), and can hold
answers from the N-th message on, so a worker can be killed with sends in flight.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SID = "ACfake0000000000000000000000000000"
TOKEN = "fake-auth-token"


@dataclass
class Behaviour:
    fail_rate: float = 0.0  # share of calls that fail (half 500, half timeout)
    timeout_seconds: float = 3.0  # how long a "timeout" holds the answer
    hold_from: int = 0  # from this many accepted messages on, hold each answer …
    hold_seconds: float = 0.0  # … this long
    seed: int = 7


@dataclass
class FakeTwilio:
    behaviour: Behaviour = field(default_factory=Behaviour)
    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.behaviour.seed)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle and delayed ACKs
                # add 40 ms to every call.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake.handle(self, "POST")

            def do_GET(self) -> None:
                fake.handle(self, "GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the tests read -------------------------------------------------------------
    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def per_number(self) -> Counter[str]:
        with self.lock:
            return Counter(m["to"] for m in self.messages)

    # --- the API ---------------------------------------------------------------------------
    def _roll(self) -> str:
        with self.lock:
            if self.rng.random() >= self.behaviour.fail_rate:
                return ""
            kind = self.rng.choice(["500", "timeout"])
            self.failures[kind] += 1
            return kind

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length).decode() if length else ""
        parts = urlsplit(req.path)
        if req.headers.get("Authorization") != expected:
            return self._send(req, 401, {"code": 20003, "message": "Authenticate"})
        if parts.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
            return self._send(req, 404, {"code": 20404, "message": "Not found"})
        failure = self._roll()
        if failure == "500":
            return self._send(req, 500, {"code": 20500, "message": "Internal Server Error"})
        if method == "GET":
            if failure == "timeout":
                time.sleep(self.behaviour.timeout_seconds)
            return self._list(req, parse_qs(parts.query))
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        now = dt.datetime.now(dt.UTC)
        with self.lock:
            item = {
                "sid": f"SM{len(self.messages) + 1:032x}",
                "account_sid": SID,
                "to": form.get("To", ""),
                "from": form.get("From", ""),
                "body": form.get("Body", ""),
                "status": "queued",
                "direction": "outbound-api",
                "date_created": format_datetime(now),
                "date_sent": format_datetime(now),
                "status_callback": form.get("StatusCallback", ""),
            }
            self.messages.append(item)
            number = len(self.messages)
        if failure == "timeout":
            time.sleep(self.behaviour.timeout_seconds)
        elif self.behaviour.hold_from and number >= self.behaviour.hold_from:
            time.sleep(self.behaviour.hold_seconds)
        self._send(req, 201, item)

    def _list(self, req: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        to = query.get("To", [""])[0]
        with self.lock:
            found = [m for m in self.messages if m["to"] == to]
        self._send(req, 200, {"messages": list(reversed(found)), "next_page_uri": None})

    def _send(self, req: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout) or died


if __name__ == "__main__":  # its own process, for bench/campaigns.py: prints its URL
    import signal

    with FakeTwilio() as fake:
        print(fake.url, flush=True)
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
