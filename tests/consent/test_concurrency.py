"""On PostgreSQL: concurrent writers and a reader following the ledger by sequence number."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.models import ConsentEvent
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

WRITERS = 8
EVENTS = 2000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_following_the_sequence_sees_every_event_once_in_order(dealer: Dealer) -> None:
    customers = [make_customer(dealer, n) for n in range(1, WRITERS + 1)]
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def writer(customer: Customer, count: int) -> None:
        try:
            statuses = ["given", "withdrawn", "refused"]
            for i in range(count):
                record_consent(
                    dealer=dealer,
                    customer=customer,
                    decisions=[Decision("marketing", "sms", statuses[i % 3])],
                    source="dms_api",
                    actor=Actor.system("writer"),
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def reader() -> None:
        cursor = 0
        try:
            deadline = time.monotonic() + 300
            while len(seen) < EVENTS and time.monotonic() < deadline:
                batch = list(
                    ConsentEvent.objects.for_dealer(dealer)
                    .filter(sequence__gt=cursor)
                    .order_by("sequence")
                    .values_list("sequence", flat=True)[:500]
                )
                for sequence in batch:
                    # a gap would mean a skipped event: the next one committed first
                    assert sequence == cursor + 1, f"skipped from {cursor} to {sequence}"
                    seen.append(sequence)
                    cursor = sequence
                if not batch:
                    time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    before = ConsentEvent.objects.for_dealer(dealer).count()
    assert before == 0
    threads = [threading.Thread(target=writer, args=(c, EVENTS // WRITERS)) for c in customers]
    follower = threading.Thread(target=reader)
    follower.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.wait(timeout=300)
    follower.join()
    assert not errors, errors
    assert seen == list(range(1, EVENTS + 1))
    assert verify_dealer(dealer).ok
