"""The SMS pipeline every provider follows (after django-anymail): build → send → parse.

Interface for callers (campaigns, portal, API):

- ``get_sms_backend()`` returns the backend chosen by ``SAMTYKKE_SMS_BACKEND`` (a new instance
  each call; keep one for a batch: HTTP backends hold a connection pool, ``close()`` it after, or
  use it as a context manager).
- ``backend.send(SmsMessage(...)) -> SendResult``; never raises for provider or network errors:
  the result says ``sent`` (accepted, with the provider's id), or ``failed`` with ``permanent``
  telling a retry from a give-up, and ``uncertain`` when the provider may have accepted it anyway
  (a read timeout, a dropped connection): settle those with ``find_sent`` before sending again.
- ``backend.find_sent(to=…, since=…, reference=…, body_contains=…) -> list[SentMessage]``: what
  the provider says it already sent (used to settle a send that was in flight when a worker died).
  Backends whose provider has no such listing have ``supports_find_sent = False`` and raise
  ``FindSentUnsupported``.
- ``backend.parallel_safe``: whether ``send()`` may run in several threads at once (the HTTP
  providers share one thread-safe connection pool; the outbox writes to the database).
- Delivery reports arrive later through the webhooks in ``messaging/webhooks.py`` and are
  announced by the ``delivery_reported`` signal (``messaging/signals.py``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar

from django.conf import settings


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. "+4791234567"
    body: str
    sender: str  # alphanumeric sender id (≤ 11 characters) or number
    reference: str  # our id (the campaign recipient's), passed to the provider where it allows
    campaign_id: int | None = None  # kept by the outbox backend (`samtykke outbox --campaign`)
    dealer_id: int | None = None  # whose message it is: the outbox page shows a dealer its own


SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class SendResult:
    status: str  # SENT ("sent": accepted by the provider) or FAILED ("failed")
    provider_id: str = ""
    error: str = ""  # the provider's reason, for people
    permanent: bool = False  # failed for good (invalid number, blocked) vs. worth a retry
    error_code: str = ""  # the provider's own code, e.g. Twilio's "21211"
    uncertain: bool = False  # failed as far as we know, but the provider may have it: find_sent

    @property
    def ok(self) -> bool:
        return self.status == SENT


@dataclass(frozen=True)
class SentMessage:
    provider_id: str
    to: str
    body: str
    sent_at: dt.datetime | None = None
    status: str = ""
    reference: str = ""


class FindSentUnsupported(NotImplementedError):
    """The provider offers no way to list what it sent."""


class SmsBackend:
    name: ClassVar[str] = "base"
    supports_find_sent: ClassVar[bool] = True
    # False: send() writes to the database (the outbox), so call it from one thread, outside
    # any open transaction; True: safe to call from several threads at once.
    parallel_safe: ClassVar[bool] = True

    def send(self, message: SmsMessage) -> SendResult:
        raise NotImplementedError

    def find_sent(
        self,
        *,
        to: str,
        since: dt.datetime,
        reference: str = "",
        body_contains: str = "",
    ) -> list[SentMessage]:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (HTTP backends); harmless to call twice."""

    def __enter__(self) -> SmsBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass
class TestOutbox:
    messages: list[SmsMessage] = field(default_factory=list)
    sent_at: list[dt.datetime] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.sent_at.clear()


test_outbox = TestOutbox()


class TestBackend(SmsBackend):
    """In memory, for tests: ``messaging.sms.base.test_outbox.messages``."""

    name = "test"

    def send(self, message: SmsMessage) -> SendResult:
        from django.utils import timezone

        with test_outbox.lock:
            test_outbox.messages.append(message)
            test_outbox.sent_at.append(timezone.now())
            number = len(test_outbox.messages)
        return SendResult(SENT, provider_id=f"test-{number}")

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        with test_outbox.lock:
            pairs = list(zip(test_outbox.messages, test_outbox.sent_at, strict=True))
        return [
            SentMessage(
                provider_id=f"test-{i + 1}",
                to=m.to,
                body=m.body,
                sent_at=at,
                status=SENT,
                reference=m.reference,
            )
            for i, (m, at) in enumerate(pairs)
            if m.to == to
            and at >= since
            and body_contains in m.body
            and (not reference or m.reference == reference)
        ]


BACKENDS = {
    "test": "samtykke.messaging.sms.base.TestBackend",
    "outbox": "samtykke.messaging.sms.outbox.OutboxBackend",
    "console": "samtykke.messaging.sms.console.ConsoleBackend",
    "twilio": "samtykke.messaging.sms.twilio.TwilioBackend",
    "linkmobility": "samtykke.messaging.sms.linkmobility.LinkMobilityBackend",
    "sveve": "samtykke.messaging.sms.sveve.SveveBackend",
}


def get_sms_backend(name: str | None = None) -> SmsBackend:
    path = BACKENDS.get(name or settings.SMS_BACKEND)
    if path is None:
        raise LookupError(f"SMS backend {name or settings.SMS_BACKEND!r} is not available.")
    module, _, cls = path.rpartition(".")
    backend: SmsBackend = getattr(importlib.import_module(module), cls)()
    return backend
