"""What the customer's requests cost in queries (issue 5): one more query here is a slower page.

The counts are the portal's own: the ledger append inside ``record_consent`` is counted apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from samtykke.consent.links import IssuedLink
from samtykke.customers.models import Customer
from samtykke.portal import ratelimit, services
from samtykke.sql import can_send_together
from samtykke.tenancy.models import Dealer
from tests.conftest import executed
from tests.portal.conftest import notice_reference, statuses

pytestmark = pytest.mark.django_db


def _sql(captured: CaptureQueriesContext) -> list[str]:
    return executed(captured)


def test_opening_a_link_again_costs_three_queries(portal: Client, issued: IssuedLink) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert portal.get(f"/s/{issued.token}").status_code == 303
    sql = _sql(captured)
    # The session, the look-up counted and read in one statement, the link with its customer.
    assert len(sql) == 3, sql
    assert sum("portal_lookupcounter" in q for q in sql) == 1
    assert sum("tenancy_dealer" in q for q in sql) == 0  # the dealer comes from pagedata


def test_the_page_costs_two_queries(portal: Client) -> None:
    portal.get("/samtykke/")  # the dealer's page data is read once per process (pagedata)
    with CaptureQueriesContext(connection) as captured:
        assert portal.get("/samtykke/").status_code == 200
    # The session; the link with its customer and the customer's current states.
    assert len(_sql(captured)) == 2, _sql(captured)


def test_the_receipt_costs_two_queries(portal: Client) -> None:
    portal.get("/samtykke/lagret/")  # the dealer's page data is read once per process
    with CaptureQueriesContext(connection) as captured:
        assert portal.get("/samtykke/lagret/").status_code == 200
    # The session; the link with its customer and the customer's current states.
    assert len(_sql(captured)) == 2, _sql(captured)


@pytest.fixture
def ledger_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many queries each ``record_consent`` call ran (to count the portal's own apart)."""
    counts: list[int] = []
    original = services.record_consent

    def counted(**kwargs: Any) -> Any:
        with CaptureQueriesContext(connection) as inner:
            result = original(**kwargs)
        counts.append(len(executed(inner)))
        return result

    monkeypatch.setattr(services, "record_consent", counted)
    yield counts


def test_a_save_locks_the_customer_and_the_head_and_reads_the_states_in_one_round_trip(
    portal: Client, dealer: Dealer, customer: Customer, ledger_queries: list[int]
) -> None:
    notice = notice_reference(portal.get("/samtykke/").content.decode())
    portal.post("/samtykke/", {"notice": notice, "action": "refuse"})  # the config read once
    ledger_queries.clear()
    with CaptureQueriesContext(connection) as captured:
        response = portal.post(
            "/samtykke/", {"notice": notice, "action": "save", "c-marketing-sms": "yes"}
        )
    assert response.status_code == 303
    assert statuses(dealer, customer)["marketing/sms"] == "given"
    sql = _sql(captured)
    together = can_send_together(connection)
    # The portal's own: the session; the link with its customer locked, the dealer's ledger
    # head locked and the customer's states (one query on PostgreSQL, three elsewhere); the
    # transaction's savepoint and its release (a test runs inside a transaction).
    own = len(sql) - ledger_queries[0]
    assert own == (4 if together else 6), sql
    heads = [q for q in sql if "consent_ledgerhead" in q and "SELECT id, sequence" in q]
    assert len(heads) == 1  # record_consent appended under the portal's lock, took none
    if together:
        (query,) = [q for q in sql if "consent_personallink" in q]
        link, head, states = query.split(";\n")
        assert link.endswith("FOR NO KEY UPDATE OF c") and head.endswith("FOR UPDATE")
        assert "consent_consentstate" in states
        assert ledger_queries == [1]  # the append itself: one statement
    else:
        assert ledger_queries == [3]  # events, the current view, the head


@override_settings(PORTAL_FAILED_LOOKUPS_PER_WINDOW=2, PORTAL_LOOKUPS_PER_WINDOW=4)
def test_the_lookup_limits_count_per_address_and_failures_apart() -> None:
    assert [ratelimit.allow_lookup("198.51.100.1") for _ in range(5)] == [True] * 4 + [False]
    assert ratelimit.allow_lookup("198.51.100.2")  # another address counts apart
    ratelimit.lookup_failed("198.51.100.2")
    assert ratelimit.allow_lookup("198.51.100.2")
    ratelimit.lookup_failed("198.51.100.2")
    assert not ratelimit.allow_lookup("198.51.100.2")  # two failed: the stricter limit


def test_current_states_are_the_orms_rows_for_that_customer_only(
    dealer: Dealer, customer: Customer, other_dealer: Dealer, other_customer: Customer
) -> None:
    from samtykke.consent.actions import Actor, Decision, record_consent
    from samtykke.consent.models import ConsentState, Source, Status
    from samtykke.portal.choices import current_states

    for who, owner in ((customer, dealer), (other_customer, other_dealer)):
        record_consent(
            dealer=owner,
            customer=who,
            decisions=[
                Decision("marketing", "sms", Status.GIVEN),
                Decision("marketing", "email", Status.REFUSED),
            ],
            source=Source.STAFF,
            actor=Actor.system(),
            evidence={},
        )
    expected = sorted(
        ConsentState.objects.for_dealer(dealer)
        .filter(customer=customer)
        .values_list("purpose_id", "channel_id", "status", "event__notice_version_id")
    )
    assert len(expected) == 2
    assert sorted(current_states(dealer.pk, customer.pk)) == expected
    assert current_states(dealer.pk, other_customer.pk) == []  # another dealer's customer
    assert current_states(other_dealer.pk, other_customer.pk) != []


def test_the_links_plain_statements_read_what_the_orm_reads(
    dealer: Dealer, customer: Customer, issued: IssuedLink
) -> None:
    """services reads links with plain SQL (no ORM compilation): the same values, times aware."""
    from samtykke.consent.actions import Actor, Decision, record_consent
    from samtykke.consent.models import PersonalLink, Source, Status
    from samtykke.portal.choices import current_states

    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", "sms", Status.GIVEN)],
        source=Source.STAFF,
        actor=Actor.system(),
        evidence={},
    )
    expected = PersonalLink.objects.for_dealer(dealer).select_related("customer").get()
    by_token = services.link_for_token(issued.token)
    with services.submitting(expected.pk) as submit:  # the submit's read, customer locked
        by_id = submit.link
    found = services.usable_link_with_states(expected.pk)
    assert by_token is not None and found is not None
    link, states = found
    for read in (by_token, by_id, link):
        for name in ("id", "dealer_id", "customer_id", "origin", "expires_at", "revoked_at"):
            assert getattr(read, name) == getattr(expected, name), name
        assert read.expires_at.tzinfo is not None
        for name in ("id", "dealer_id", "name", "mobile", "email", "erased_at"):
            assert getattr(read.customer, name) == getattr(expected.customer, name), name
        assert read.customer.can_receive_sms is expected.customer.can_receive_sms is True
        assert read.customer.email_is_valid is expected.customer.email_is_valid
        assert read.dealer.pk == dealer.pk
    assert sorted(states) == sorted(current_states(dealer.pk, customer.pk))
    assert sorted(submit.states) == sorted(states)
    assert len(states) == 1
    assert by_token.first_opened_at == expected.first_opened_at


def test_a_link_without_states_reads_none(dealer: Dealer, issued: IssuedLink) -> None:
    from samtykke.consent.models import PersonalLink

    link = PersonalLink.objects.for_dealer(dealer).get()
    found = services.usable_link_with_states(link.pk)
    assert found is not None
    assert found[1] == []


def test_an_expired_or_unknown_link_reads_none(dealer: Dealer, issued: IssuedLink) -> None:
    from django.utils import timezone

    from samtykke.consent.models import PersonalLink

    link = PersonalLink.objects.for_dealer(dealer).get()
    with pytest.raises(services.LinkGone), services.submitting(link.pk + 1000):
        pass
    assert services.usable_link_with_states(link.pk + 1000) is None
    PersonalLink.objects.for_dealer(dealer).update(expires_at=timezone.now())
    with pytest.raises(services.LinkGone), services.submitting(link.pk):
        pass
    assert services.usable_link_with_states(link.pk) is None
    assert services.link_for_token(issued.token) is not None  # the page tells expired apart
