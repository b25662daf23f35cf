"""A double submit and two tabs on one link, at the same moment: one consistent state, no 500.

Real threads against PostgreSQL (each thread its own connection), released together by a
barrier. The customer's row lock serializes the submits; each one is applied to the state the
previous one left, so duplicates add no events and the last submit wins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from samtykke.consent.links import issue_personal_link
from samtykke.consent.models import ConsentEvent
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.portal.conftest import notice_reference, statuses

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _tabs(token: str, count: int) -> tuple[list[Client], str]:
    """``count`` clients sharing one browser session (tabs), and the notice the page showed."""
    first = Client()
    first.get(f"/s/{token}")
    notice = notice_reference(first.get("/samtykke/").content.decode())
    tabs = [first]
    for _ in range(count - 1):
        tab = Client()
        tab.cookies = first.cookies
        tabs.append(tab)
    return tabs, notice


def _all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = jobs[index]()
        except Exception as exc:  # reported below, never swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _customer(dealer: Dealer) -> Customer:
    return make_customer(dealer, 3)


def test_double_submit_at_the_same_moment(dealer: Dealer) -> None:
    customer = _customer(dealer)
    tabs, notice = _tabs(issue_personal_link(customer=customer, origin="campaign").token, 6)
    data = {"notice": notice, "action": "save", "c-marketing-sms": "yes"}
    results = _all_at_once([lambda tab=tab: tab.post("/samtykke/", data) for tab in tabs])
    assert [getattr(r, "status_code", r) for r in results] == [303] * 6
    assert statuses(dealer, customer) == {"marketing/sms": "given", "marketing/email": "refused"}
    assert ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).count() == 2
    assert verify_dealer(dealer).ok


def test_two_tabs_with_different_answers_end_in_one_of_them(dealer: Dealer) -> None:
    customer = _customer(dealer)
    tabs, notice = _tabs(issue_personal_link(customer=customer, origin="paper_form").token, 8)
    yes = {"notice": notice, "action": "save", "c-marketing-sms": "yes", "c-marketing-email": "yes"}
    no = {"notice": notice, "action": "refuse"}
    jobs = [
        (lambda tab=tab, data=(yes if i % 2 else no): tab.post("/samtykke/", data))
        for i, tab in enumerate(tabs)
    ]
    results = _all_at_once(jobs)
    assert [getattr(r, "status_code", r) for r in results] == [303] * 8
    final = statuses(dealer, customer)
    assert final in (
        {"marketing/sms": "given", "marketing/email": "given"},
        {"marketing/sms": "refused", "marketing/email": "refused"},
        {"marketing/sms": "withdrawn", "marketing/email": "withdrawn"},
    )
    # The current view is the ledger's last word for each channel.
    events = ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).order_by("sequence")
    last = {f"marketing/{e.channel.key}": e.status for e in events.select_related("channel")}
    assert last == final
    assert verify_dealer(dealer).ok
    page = tabs[0].get("/samtykke/lagret/")
    assert page.status_code == 200


def test_a_submit_decides_on_a_write_that_committed_while_it_waited_for_the_ledger(
    dealer: Dealer,
) -> None:
    """Staff record "given" while holding the ledger head; the customer's "no" waits for it,
    then reads the states: it sees the "given" and records "withdrawn", not "refused"."""
    from samtykke.consent.actions import Actor, Decision, record_consent
    from samtykke.consent.models import Source, Status

    customer = _customer(dealer)
    tabs, notice = _tabs(issue_personal_link(customer=customer, origin="campaign").token, 1)
    staff_holds_head = threading.Event()
    submit_started = threading.Event()

    def staff() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                record_consent(
                    dealer=dealer,
                    customer=customer,
                    decisions=[Decision("marketing", "sms", Status.GIVEN)],
                    source=Source.STAFF,
                    actor=Actor.system("staff"),
                    evidence={},
                )
                staff_holds_head.set()
                submit_started.wait(10)
                threading.Event().wait(0.5)  # the submit is now waiting for the head
        finally:
            connection.close()

    thread = threading.Thread(target=staff)
    thread.start()
    assert staff_holds_head.wait(10)
    submit_started.set()
    response = tabs[0].post("/samtykke/", {"notice": notice, "action": "refuse"})
    thread.join(30)
    assert response.status_code == 303
    assert statuses(dealer, customer)["marketing/sms"] == "withdrawn"
    assert verify_dealer(dealer).ok
