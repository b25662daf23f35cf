"""What the fake providers share: the threaded server, the counting, the faults."""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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
