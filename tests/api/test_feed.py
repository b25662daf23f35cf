"""The change feed and the consent check."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.api.conftest import ApiClient
from tests.conftest import make_customer


def give(dealer: Dealer, customer: Customer, channel: str = "sms", status: str = "given") -> None:
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", channel, status)],
        source="staff",
        actor=Actor.system("test"),
    )


def read_all(api: ApiClient, limit: int) -> list[dict]:
    events: list[dict] = []
    cursor = None
    while True:
        query = f"consent-events?limit={limit}" + (f"&after={cursor}" if cursor else "")
        page = api.get(query).json()
        events += page["events"]
        if not page["events"]:
            assert page["next_cursor"] == cursor or cursor is None
            return events
        cursor = page["next_cursor"]


def test_the_feed_pages_with_an_opaque_cursor(api: ApiClient, dealer: Dealer) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 4)]
    for c in customers:
        give(dealer, c, "email", "refused")
        give(dealer, c, "sms")
    api.put("customers/NEW-1", {"name": "Ny Kunde"})  # starts as unknown: two more events
    events = read_all(api, limit=2)
    assert [e["sequence"] for e in events] == list(range(1, 9))
    last = events[-3]
    assert last["customer"] == customers[-1].external_id
    assert (last["purpose"], last["channel"], last["status"], last["source"]) == (
        "marketing",
        "sms",
        "given",
        "staff",
    )
    assert last["state"]["status"] == "given"
    assert events[0]["status"] == "refused" and events[0]["channel"] == "email"
    assert events[-1]["customer"] == "NEW-1" and events[-1]["status"] == "unknown"
    assert events[-1]["source"] == "gdpr_reset"
    page = api.get("consent-events?limit=5").json()
    rest = api.get(f"consent-events?after={page['next_cursor']}").json()
    assert [e["sequence"] for e in rest["events"]] == list(range(6, 9))


@pytest.mark.parametrize(
    "bad", ["after=xyz", "after=djE6LTE", "after=%00", "limit=0", "limit=1001", "limit=x"]
)
def test_bad_feed_parameters_are_4xx(api: ApiClient, bad: str) -> None:
    r = api.get(f"consent-events?{bad}")
    assert r.status_code in (400, 422) and r.json()["code"] in ("invalid_cursor", "invalid_request")


def test_the_check_says_who_may_be_contacted_and_why_not(
    api: ApiClient, dealer: Dealer, other_dealer: Dealer
) -> None:
    ok = make_customer(dealer, 1)
    unasked = make_customer(dealer, 2)
    withdrawn = make_customer(dealer, 3)
    landline = make_customer(dealer, 4, mobile="22 33 44 55")
    gone = make_customer(dealer, 5)
    no_email = make_customer(dealer, 6, email="")
    theirs = make_customer(other_dealer, 7)
    for c in (ok, landline, gone, no_email):
        give(dealer, c, "sms")
        give(dealer, c, "email")
    give(dealer, withdrawn, "sms", "withdrawn")
    api.delete(f"customers/{gone.external_id}")
    ids = [c.external_id for c in (ok, unasked, withdrawn, landline, gone, no_email, theirs)]
    sms = api.post(
        "consents/check",
        {"purpose": "marketing", "channel": "sms", "customers": [*ids, "nobody", ok.external_id]},
    ).json()
    assert sms["allowed"] == [ok.external_id, no_email.external_id]
    assert {d["customer"]: d["reason"] for d in sms["denied"]} == {
        unasked.external_id: "no_consent:unknown",
        withdrawn.external_id: "no_consent:withdrawn",
        landline.external_id: "no_valid_mobile",
        gone.external_id: "erased",
        theirs.external_id: "not_found",
        "nobody": "not_found",
    }
    email = api.post(
        "consents/check",
        {
            "channel": "email",
            "customers": [ok.external_id, no_email.external_id, landline.external_id],
        },
    ).json()
    assert email["allowed"] == [ok.external_id, landline.external_id]
    assert email["denied"] == [{"customer": no_email.external_id, "reason": "no_valid_email"}]
    r = api.post("consents/check", {"channel": "fax", "customers": ["x"]})
    assert r.status_code == 422 and r.json()["code"] == "unknown_channel"
    r = api.post("consents/check", {"purpose": "nope", "channel": "sms", "customers": ["x"]})
    assert r.status_code == 422 and r.json()["code"] == "unknown_purpose"
    r = api.post("consents/check", {"channel": "sms", "customers": ["x"] * 10001})
    assert r.status_code == 422


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_eight_writers_and_a_reader_see_every_event_exactly_once(
    api: ApiClient, dealer: Dealer
) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 9)]
    start = Dealer.objects.get(pk=dealer.pk).ledger_head.sequence
    per_writer = 25
    errors: list[BaseException] = []

    def writer(customer: Customer, index: int) -> None:
        try:
            for i in range(per_writer):
                with transaction.atomic():
                    give(
                        dealer,
                        customer,
                        "sms" if i % 2 else "email",
                        "given" if i % 3 else "refused",
                    )
                    if i % 7 == index % 7:
                        time.sleep(0.02)  # commit late while holding the ledger head
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(c, i)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor = None
    expected = start + 8 * per_writer
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        query = "consent-events?limit=7" + (f"&after={cursor}" if cursor else "")
        page = api.get(query).json()
        seen += [e["sequence"] for e in page["events"]]
        cursor = page["next_cursor"]
        if len(seen) >= expected and not any(t.is_alive() for t in threads):
            break
    for t in threads:
        t.join()
    assert not errors, errors
    assert seen == list(range(1, expected + 1))  # every event, once, in order
