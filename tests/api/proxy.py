"""An HTTP proxy on 127.0.0.1 in front of the live server, to play an API outage.

Modes: ``up`` forwards; ``refuse`` closes every connection without an answer (the API is
unreachable); ``drop_next = n`` forwards the next n requests but drops their answers (the API
committed, the caller never heard). Every answer's ``Idempotent-Replayed`` header is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


@dataclass
class Proxy:
    target: str
    url: str = ""
    mode: str = "up"
    drop_next: int = 0
    log: list[tuple[str, str, int | None, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def running_proxy(target: str) -> Iterator[Proxy]:
    proxy = Proxy(target.rstrip("/"))
    client = httpx.Client(timeout=30)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with proxy.lock:
                mode = proxy.mode
                drop = proxy.drop_next > 0 and mode == "up"
                if drop:
                    proxy.drop_next -= 1
            if mode == "refuse":
                proxy.log.append((self.command, self.path, None, False))
                self.close_connection = True
                return
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "content-length", "connection")
            }
            response = client.request(
                self.command, proxy.target + self.path, content=body, headers=headers
            )
            replayed = response.headers.get("idempotent-replayed") == "true"
            proxy.log.append((self.command, self.path, response.status_code, replayed))
            if drop:
                self.close_connection = True
                return
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        client.close()
