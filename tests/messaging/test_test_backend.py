"""The in-memory test backend that other areas' tests use."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from samtykke.messaging.sms.base import SmsMessage, TestBackend, get_sms_backend, test_outbox


def test_keeps_messages_and_finds_them() -> None:
    backend = get_sms_backend("test")
    assert isinstance(backend, TestBackend)
    start = timezone.now() - dt.timedelta(seconds=1)
    first = backend.send(SmsMessage("+4791234567", "A /s/1", "Bil", "r1", campaign_id=2))
    backend.send(SmsMessage("+4791234567", "B /s/2", "Bil", "r2"))
    assert first.ok and first.provider_id == "test-1"
    assert [m.reference for m in test_outbox.messages] == ["r1", "r2"]
    found = backend.find_sent(to="+4791234567", since=start, body_contains="/s/2")
    assert [(m.provider_id, m.reference) for m in found] == [("test-2", "r2")]
    assert backend.find_sent(to="+4791234567", since=start, reference="r1")[0].body == "A /s/1"
    assert backend.find_sent(to="+4700000000", since=start) == []
