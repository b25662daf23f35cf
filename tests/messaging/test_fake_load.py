"""The Twilio fake under load and under faults: fast enough for a 5,000-message campaign, and
the send → (uncertain? find_sent) → retry contract ends with every message sent exactly once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.utils import timezone

from samtykke.messaging.sms.base import SmsBackend, SmsMessage, get_sms_backend
from samtykke.messaging.sms.twilio import TwilioError
from tests.messaging.fakes import FakeTwilio

pytestmark = pytest.mark.django_db


def numbers(n: int) -> list[str]:
    return [f"+479{i:07d}" for i in range(n)]


def test_five_thousand_messages_counted_once_each(twilio_fake: FakeTwilio, settings: Any) -> None:
    settings.SMS_TIMEOUT = 10  # a busy CI machine must not turn this into a timeout test
    targets = numbers(5000)
    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        backends: dict[int, SmsBackend] = {}

        def send(i: int) -> bool:
            import threading

            backend = backends.setdefault(threading.get_ident(), get_sms_backend())
            body = f"Hei! https://x.no/s/token-{i}"
            return backend.send(SmsMessage(targets[i], body, "BilhusNord", f"r{i}")).ok

        results = list(pool.map(send, range(5000)))  # each ok or failed, never raising
        for backend in backends.values():
            backend.close()
    elapsed = time.perf_counter() - started
    assert all(results)
    assert twilio_fake.count() == 5000 and not twilio_fake.duplicates()
    assert twilio_fake.count(to=targets[4321], body="Hei! https://x.no/s/token-4321") == 1
    assert elapsed < 180, f"5,000 sends took {elapsed:.1f} s"  # ~10 s; the bench measures


def send_until_settled(backend: SmsBackend, message: SmsMessage, since: Any) -> str:
    """What a dispatcher does: retry what failed; ask before retrying what was uncertain."""
    for _ in range(200):
        result = backend.send(message)
        if result.ok:
            return result.provider_id
        assert not result.permanent, result.error
        if result.uncertain:
            time.sleep(0.5)  # let a request the provider is still working on land first
            token = message.body.rsplit("/", 1)[1]
            while True:
                try:
                    found = backend.find_sent(to=message.to, since=since, body_contains=token)
                    break
                except TwilioError:  # could not ask: ask again, never send blindly
                    time.sleep(0.1)
            if found:
                return found[0].provider_id
    raise AssertionError("never settled")  # pragma: no cover


def test_thirty_percent_faults_end_with_everyone_sent_exactly_once(settings: Any) -> None:
    with FakeTwilio(fail_rate=0.15, hang_rate=0.15, hang_seconds=2.5, seed=5) as fake:
        fake.configure(settings)
        settings.SMS_TIMEOUT = 1.5
        since = timezone.now()
        targets = numbers(200)
        backend = get_sms_backend()
        with ThreadPoolExecutor(32) as pool:
            ids = list(
                pool.map(
                    lambda i: send_until_settled(
                        backend,
                        SmsMessage(targets[i], f"Hei https://x.no/s/t{i}", "Bil", f"r{i}"),
                        since,
                    ),
                    range(200),
                )
            )
        backend.close()
        assert fake.faults_served["500"] > 10 and fake.faults_served["hang"] > 10
        assert fake.count() == 200 and not fake.duplicates()
        assert len(set(ids)) == 200


def test_a_fake_in_its_own_process(settings: Any) -> None:
    from tests.messaging.fakes import FakeProcess

    with FakeProcess("twilio", seed=1) as fake:
        fake.configure(settings)
        backend = get_sms_backend()
        assert backend.send(SmsMessage("+4791234567", "Hei /s/x", "Bil", "r1")).ok
        fake.set_faults(fail_rate=1.0)
        failed = backend.send(SmsMessage("+4791234567", "Hei /s/y", "Bil", "r2"))
        assert not failed.ok and not failed.permanent
        backend.close()
        assert fake.stats() == {"accepted": 1, "attempts": 2, "duplicates": 0, "faults": {"500": 1}}
        assert [m["body"] for m in fake.messages(to="+4791234567")] == ["Hei /s/x"]
