"""On PostgreSQL: concurrent writers and a reader following the ledger by sequence number."""

from __future__ import annotations

from functools import partial

import pytest

from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.models import ConsentEvent
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.consent.following import follow_while_writing

WRITERS = 8
EVENTS = 2000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_following_the_sequence_sees_every_event_once_in_order(dealer: Dealer) -> None:
    customers = [make_customer(dealer, n) for n in range(1, WRITERS + 1)]

    def writer(customer: Customer, count: int) -> None:
        statuses = ["given", "withdrawn", "refused"]
        for i in range(count):
            record_consent(
                dealer=dealer,
                customer=customer,
                decisions=[Decision("marketing", "sms", statuses[i % 3])],
                source="dms_api",
                actor=Actor.system("writer"),
            )

    assert ConsentEvent.objects.for_dealer(dealer).count() == 0
    seen = follow_while_writing(
        dealer, [partial(writer, c, EVENTS // WRITERS) for c in customers], EVENTS
    )
    assert seen == list(range(1, EVENTS + 1))
    assert verify_dealer(dealer).ok
