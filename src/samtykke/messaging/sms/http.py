"""The pipeline of every HTTP provider (after django-anymail's base backend).

``send()`` is fixed here: build the provider's request → call it with httpx (timeouts, one
connection pool per backend instance) → parse the answer into a ``SendResult``. A provider
module fills in ``build_send(message)`` and ``parse_send(message, response)``; the rules for
what is worth a retry live here, once:

- no answer (connect error, timeout, dropped connection) → failed, not permanent; ``uncertain``
  when the request may have reached the provider (anything after the connection was made);
- HTTP 429 and 5xx → failed, not permanent;
- 401/403 (our credentials) → failed, not permanent: a configuration error, not the recipient's;
- anything else is the provider's answer: ``parse_send`` decides (an invalid or blocked number is
  permanent, with the provider's reason and code).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from samtykke.messaging.sms.base import FAILED, SendResult, SmsBackend, SmsMessage

logger = logging.getLogger(__name__)


@dataclass
class ProviderRequest:
    method: str
    path: str  # relative to the backend's base URL
    params: dict[str, str] | None = None  # query string
    data: dict[str, str] | None = None  # form-encoded body
    json: Any = None  # JSON body
    headers: dict[str, str] = field(default_factory=dict)


class SmsConfigurationError(ValueError):
    """Our set-up cannot send (no sender name, no credentials): not the recipient's fault."""


class HttpSmsBackend(SmsBackend):
    base_url: str = ""

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = float(timeout if timeout is not None else settings.SMS_TIMEOUT)
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    # --- what a provider fills in ---------------------------------------------------------
    def auth(self) -> httpx.Auth | tuple[str, str] | None:
        return None

    def build_send(self, message: SmsMessage) -> ProviderRequest:
        raise NotImplementedError

    def parse_send(self, message: SmsMessage, response: httpx.Response) -> SendResult:
        raise NotImplementedError

    # --- the pipeline -----------------------------------------------------------------------
    @property
    def client(self) -> httpx.Client:
        """One pool per backend instance, shared by the threads that use it."""
        with self._client_lock:
            if self._client is None:
                self._client = self._new_client()
            return self._client

    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            auth=self.auth(),
            timeout=httpx.Timeout(self.timeout, connect=min(5.0, self.timeout)),
            headers={"User-Agent": "samtykke"},
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
        )

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def call(self, request: ProviderRequest) -> httpx.Response:
        return self.client.request(
            request.method,
            request.path,
            params=request.params,
            data=request.data,
            json=request.json,
            headers=request.headers,
        )

    def send(self, message: SmsMessage) -> SendResult:
        try:
            request = self.build_send(message)
        except SmsConfigurationError as exc:
            return SendResult(FAILED, error=str(exc), error_code="configuration")
        except ValueError as exc:  # a number or text the provider cannot take: never will
            return SendResult(FAILED, error=str(exc), permanent=True)
        try:
            response = self.call(request)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            return SendResult(FAILED, error=f"{self.name} unreachable: {exc!r}")
        except httpx.TransportError as exc:  # read/write timeout, dropped connection
            logger.warning("%s: no answer for %s: %r", self.name, message.reference, exc)
            return SendResult(FAILED, error=f"{self.name} did not answer: {exc!r}", uncertain=True)
        status = response.status_code
        if status == 429 or status >= 500:
            return SendResult(
                FAILED,
                error=f"{self.name} HTTP {status}: {response.text[:200]}",
                error_code=str(status),
            )
        if status in (401, 403):
            return SendResult(
                FAILED,
                error=f"{self.name} refused our credentials (HTTP {status}): check the settings",
                error_code=str(status),
            )
        try:
            return self.parse_send(message, response)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("%s: unreadable answer %s: %r", self.name, status, response.text[:200])
            return SendResult(
                FAILED, error=f"{self.name} answer not understood: {exc!r}", uncertain=True
            )


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
