"""Sending SMS to a local fake Twilio (its own process): samtykke's backend against bare HTTP.

    uv run python bench/messaging.py [--messages 5000] [--threads 8]

Baseline: the same form posts made with a bare httpx client (one per thread, keep-alive).
Measured: ``TwilioBackend.send`` (build → post → parse into a SendResult), same threads.
Also: segment counting (``sms_length``) against ``len()`` over the same texts.
Targets: ≥ 500 SMS/s through the backend.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samtykke.settings")
os.environ.setdefault("SAMTYKKE_DEBUG", "1")
os.environ.setdefault(
    "SAMTYKKE_DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/samtykke-bench-messaging.sqlite3"
)

import django  # noqa: E402

django.setup()
logging.getLogger("samtykke").setLevel(logging.ERROR)  # the timeouts are the point here

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from tests.messaging.fakes import FakeProcess  # noqa: E402

from samtykke.messaging.segments import sms_length  # noqa: E402
from samtykke.messaging.sms.base import SmsBackend, SmsMessage, get_sms_backend  # noqa: E402
from samtykke.messaging.sms.twilio import TwilioError, status_callback_url  # noqa: E402


def messages(n: int, offset: int) -> list[SmsMessage]:
    return [
        SmsMessage(
            to=f"+479{(offset + i) % 10**7:07d}",
            body=f"Hei Kari! Bilhuset Nord ber om samtykke: https://x.no/s/tok{offset + i}",
            sender="BilhusNord",
            reference=str(offset + i),
        )
        for i in range(n)
    ]


def timed(threads: int, items: list[SmsMessage], work: object) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(work, items))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    assert all(results), "a send failed"
    return len(items) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    n, threads = args.messages, args.threads

    with FakeProcess("twilio") as fake:
        fake.configure(settings)
        path = f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
        local = threading.local()

        def bare(m: SmsMessage) -> bool:
            if not hasattr(local, "client"):
                local.client = httpx.Client(
                    base_url=fake.url,
                    auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
                )
            data = {
                "To": m.to,
                "From": m.sender,
                "Body": m.body,
                "StatusCallback": status_callback_url(m.reference),
            }
            return bool(local.client.post(path, data=data).status_code == 201)

        backends: dict[int, SmsBackend] = {}

        def backend(m: SmsMessage) -> bool:
            b = backends.setdefault(threading.get_ident(), get_sms_backend())
            return b.send(m).ok

        timed(threads, messages(200, 10**6), bare)  # warm up both paths
        timed(threads, messages(200, 2 * 10**6), backend)
        baseline = timed(threads, messages(n, 0), bare)
        measured = timed(threads, messages(n, n), backend)
        stats = fake.stats()
        for b in backends.values():
            b.close()
        backends.clear()

        # 30 % faults: 15 % answered 500, 15 % accepted but never answered (past the timeout).
        fake.set_faults(fail_rate=0.15, hang_rate=0.15, hang_seconds=1.0)
        settings.SMS_TIMEOUT = 0.5
        since = timezone.now()

        def settled(m: SmsMessage) -> bool:
            b = backends.setdefault(threading.get_ident(), get_sms_backend())
            while True:
                result = b.send(m)
                if result.ok:
                    return True
                if result.uncertain and asked_and_found(b, m):
                    return True

        def asked_and_found(b: SmsBackend, m: SmsMessage) -> bool:
            time.sleep(1.0)  # let a request the provider is still working on land first
            while True:
                try:
                    return bool(b.find_sent(to=m.to, since=since, body_contains=m.body[-12:]))
                except TwilioError:  # could not ask: ask again, never send blindly
                    time.sleep(0.2)

        faulty_n = max(n // 5, 100)
        before = fake.stats()["accepted"]
        faulty = timed(threads * 4, messages(faulty_n, 3 * 10**6), settled)
        after = fake.stats()
        for b in backends.values():
            b.close()

    texts = [m.body + ("€" if i % 3 else "😀") for i, m in enumerate(messages(100_000, 0))]
    started = time.perf_counter()
    total = sum(len(t) for t in texts)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    segments = sum(sms_length(t).segments for t in texts)
    counted = time.perf_counter() - started

    print(f"fake Twilio in its own process, {n} messages, {threads} threads, 2 runs")
    print(f"  bare httpx posts        {baseline:8.0f} SMS/s")
    print(f"  TwilioBackend.send      {measured:8.0f} SMS/s   ratio {measured / baseline:.2f}")
    print(f"  fake counted            {stats['accepted']} accepted, {stats['duplicates']} dupes")
    print(f"with 30 % faults (15 % 500, 15 % hang 1 s; timeout 0.5 s; {threads * 4} threads):")
    print(
        f"  send + settle uncertain {faulty:8.0f} SMS/s   {after['accepted'] - before} accepted "
        f"for {faulty_n}, {after['duplicates']} dupes, faults {after['faults']}"
    )
    print(f"segments of {len(texts)} texts ({total} chars, {segments} segments)")
    print(f"  len()                   {len(texts) / plain:10.0f} texts/s")
    print(f"  sms_length()            {len(texts) / counted:10.0f} texts/s")
    print(f"target ≥ 500 SMS/s through the backend: {'met' if measured >= 500 else 'NOT met'}")


if __name__ == "__main__":
    main()
