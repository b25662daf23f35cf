"""The console backend: prints each SMS (development)."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import threading
from typing import TextIO

from samtykke.messaging.segments import sms_length
from samtykke.messaging.sms.base import (
    SENT,
    FindSentUnsupported,
    SendResult,
    SentMessage,
    SmsBackend,
    SmsMessage,
)

_numbers = itertools.count(1)
_lock = threading.Lock()


class ConsoleBackend(SmsBackend):
    name = "console"
    supports_find_sent = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: SmsMessage) -> SendResult:
        length = sms_length(message.body)
        stream = self.stream or sys.stdout
        with _lock:
            number = next(_numbers)
            stream.write(
                f"--- SMS {number} from {message.sender} to {message.to} "
                f"(ref {message.reference}, {length.encoding}, {length.segments} segment(s))\n"
                f"{message.body}\n---\n"
            )
            stream.flush()
        return SendResult(SENT, provider_id=f"console-{number}")

    def find_sent(
        self, *, to: str, since: dt.datetime, reference: str = "", body_contains: str = ""
    ) -> list[SentMessage]:
        raise FindSentUnsupported("The console backend keeps nothing.")
