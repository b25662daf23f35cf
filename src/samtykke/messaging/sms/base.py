"""The SMS pipeline every provider follows (after django-anymail): build → send → parse.

Interface for callers (campaigns, portal, API):

- ``get_sms_backend()`` returns the backend chosen by ``SAMTYKKE_SMS_BACKEND``.
- ``backend.send(SmsMessage(...)) -> SendResult``; never raises for provider errors: the result
  says ``sent`` (accepted, with the provider's id), or ``failed`` with ``permanent`` telling a
  retry from a give-up.
- ``backend.find_sent(to=…, since=…, reference=…, body_contains=…) -> list[SentMessage]``: what
  the provider says it already sent (used to settle a send that was in flight when a worker died).
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import ClassVar

from django.conf import settings


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str
    sender: str  # alphanumeric sender id or number
    reference: str  # our id (the campaign recipient's), passed to the provider where it allows


@dataclass(frozen=True)
class SendResult:
    status: str  # "sent" or "failed"
    provider_id: str = ""
    error: str = ""
    permanent: bool = False  # failed for good (invalid number, blocked) vs. worth a retry


@dataclass(frozen=True)
class SentMessage:
    provider_id: str
    to: str
    body: str
    sent_at: dt.datetime | None = None
    status: str = ""


class SmsBackend:
    name: ClassVar[str] = "base"

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


@dataclass
class TestOutbox:
    messages: list[SmsMessage] = field(default_factory=list)


test_outbox = TestOutbox()


class TestBackend(SmsBackend):
    """In memory, for tests: ``messaging.sms.base.test_outbox.messages``."""

    name = "test"

    def send(self, message: SmsMessage) -> SendResult:
        test_outbox.messages.append(message)
        return SendResult("sent", provider_id=f"test-{len(test_outbox.messages)}")

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        return [
            SentMessage(provider_id=f"test-{i + 1}", to=m.to, body=m.body)
            for i, m in enumerate(test_outbox.messages)
            if m.to == to and body_contains in m.body
        ]


BACKENDS = {"test": "samtykke.messaging.sms.base.TestBackend"}


def get_sms_backend(name: str | None = None) -> SmsBackend:
    path = BACKENDS.get(name or settings.SMS_BACKEND)
    if path is None:
        raise LookupError(f"SMS backend {name or settings.SMS_BACKEND!r} is not available.")
    module, _, cls = path.rpartition(".")
    backend: SmsBackend = getattr(importlib.import_module(module), cls)()
    return backend
