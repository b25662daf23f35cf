"""The bulk path of the GDPR reset (COPY on PostgreSQL, executemany on SQLite): the same ledger
as one event at a time would give — hashes, current view, idempotency, evidence, ordering."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from samtykke.consent.actions import (
    Actor,
    Decision,
    consent_recorded,
    gdpr_reset,
    hash_of,
    record_consent,
    reset_new_customers,
)
from samtykke.consent.ledger import GENESIS, evidence_digest
from samtykke.consent.models import ConsentEvent, ConsentState, LedgerHead
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Customer
from samtykke.customers.services import CustomerData, upsert_customer
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.consent.following import follow_while_writing

# Characters COPY's text format and JSON both escape: a DMS can export anything.
AWKWARD = {"SMS": 'Ja \\ "sikkert"\tjo\nnei\r', "E-post": "Nei ✓ æøå"}


def events(dealer: Dealer) -> list[ConsentEvent]:
    return list(ConsentEvent.objects.for_dealer(dealer).order_by("sequence"))


def replay(dealer: Dealer) -> dict[tuple[int, int, int], tuple[str, str, Any, int]]:
    """The current view as verify computes it: per key the newest event (ties: the later one)."""
    found: dict[tuple[int, int, int], tuple[str, str, Any, int]] = {}
    for event in events(dealer):
        key = (event.customer_id, event.purpose_id, event.channel_id)
        if key not in found or event.occurred_at >= found[key][2]:
            found[key] = (event.status, event.source, event.occurred_at, event.pk)
    return found


def states(dealer: Dealer) -> dict[tuple[int, int, int], tuple[str, str, Any, int]]:
    return {
        (s.customer_id, s.purpose_id, s.channel_id): (s.status, s.source, s.since, s.event_id)
        for s in ConsentState.objects.for_dealer(dealer)
    }


def test_reset_of_new_customers_chains_like_hash_of_and_states_replay(dealer: Dealer) -> None:
    first = make_customer(dealer, 1)
    record_consent(  # a chain that does not start at genesis
        dealer=dealer,
        customer=first,
        decisions=[Decision("marketing", "sms", "given")],
        source="portal",
        actor=Actor.customer(),
    )
    new = [make_customer(dealer, n, legacy_consent=AWKWARD if n % 2 else {}) for n in range(2, 8)]
    assert reset_new_customers(dealer=dealer, customers=new) == 12

    ledger = events(dealer)
    assert [e.sequence for e in ledger] == list(range(1, 14))
    prev = GENESIS
    for event in ledger:
        assert event.prev_hash == prev
        notice = event.notice_version.content_sha256 if event.notice_version else ""
        assert hash_of(event, notice) == event.hash
        assert evidence_digest(event.evidence) == event.evidence_sha256
        prev = event.hash
    reset = ledger[1:]
    assert {(e.status, e.source, e.actor_kind, e.actor_label) for e in reset} == {
        ("unknown", "gdpr_reset", "system", "gdpr-reset")
    }
    assert all(e.notice_version_id is None and not e.notice_assumed for e in reset)
    assert {e.occurred_at for e in reset} == {reset[0].occurred_at}
    head = LedgerHead.objects.get(dealer=dealer)
    assert (head.sequence, head.hash) == (13, ledger[-1].hash)
    assert states(dealer) == replay(dealer)
    assert len(states(dealer)) == 13
    assert verify_dealer(dealer).ok


def test_legacy_dms_value_is_evidence_never_consent(dealer: Dealer) -> None:
    legacy = make_customer(dealer, 1, legacy_consent=AWKWARD)
    plain = make_customer(dealer, 2)
    reset_new_customers(dealer=dealer, customers=[legacy, plain])
    for event in ConsentEvent.objects.for_dealer(dealer).filter(customer=legacy):
        assert event.evidence == {"legacy_dms_value": AWKWARD}
        assert event.status == "unknown"
    for event in ConsentEvent.objects.for_dealer(dealer).filter(customer=plain):
        assert event.evidence == {}
    assert set(ConsentState.objects.for_dealer(dealer).values_list("status", flat=True)) == {
        "unknown"
    }
    assert verify_dealer(dealer).ok


def test_reset_is_idempotent(dealer: Dealer) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 5)]
    assert reset_new_customers(dealer=dealer, customers=customers) == 8
    before = events(dealer)
    assert reset_new_customers(dealer=dealer, customers=customers) == 0
    assert gdpr_reset(dealer=dealer, batch_size=3) == 0
    assert events(dealer) == before
    assert LedgerHead.objects.get(dealer=dealer).sequence == 8
    assert verify_dealer(dealer).ok


def test_a_decision_made_before_the_reset_is_never_undone(dealer: Dealer) -> None:
    customer = make_customer(dealer, 1)
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", "sms", "withdrawn")],
        source="portal",
        actor=Actor.customer(),
    )
    # only the e-mail channel has no state: only it is reset
    assert reset_new_customers(dealer=dealer, customers=[customer]) == 1
    assert gdpr_reset(dealer=dealer) == 0
    by_channel = dict(ConsentState.objects.for_dealer(dealer).values_list("channel__key", "status"))
    assert by_channel == {"sms": "withdrawn", "email": "unknown"}
    assert states(dealer) == replay(dealer)
    assert verify_dealer(dealer).ok


def test_gdpr_reset_in_batches_with_a_staff_actor(dealer: Dealer, alice: Any) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 8)]
    upsert_customer(
        dealer=dealer, data=CustomerData(external_id="LEG", legacy_consent={"SMS": "Ja"})
    )
    customers[3].erased_at = customers[3].created_at
    customers[3].save()
    assert gdpr_reset(dealer=dealer, actor=Actor.staff(alice), batch_size=3) == 14
    ledger = events(dealer)
    assert {e.actor_user_id for e in ledger} == {alice.pk}
    assert customers[3].pk not in {e.customer_id for e in ledger}
    assert [e.sequence for e in ledger] == list(range(1, 15))
    assert states(dealer) == replay(dealer)
    assert verify_dealer(dealer).ok


def test_the_signal_gets_the_new_event_ids_after_commit(
    dealer: Dealer, django_capture_on_commit_callbacks: Any
) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 4)]
    received: list[tuple[int, list[int]]] = []

    def receiver(sender: Any, dealer_id: int, event_ids: list[int], **kwargs: Any) -> None:
        received.append((dealer_id, event_ids))

    consent_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reset_new_customers(dealer=dealer, customers=customers)
            assert received == []
    finally:
        consent_recorded.disconnect(receiver)
    assert received == [(dealer.pk, [e.pk for e in events(dealer)])]


def test_nothing_to_reset_appends_nothing(dealer: Dealer) -> None:
    assert reset_new_customers(dealer=dealer, customers=[]) == 0
    assert gdpr_reset(dealer=dealer) == 0
    assert not ConsentEvent.objects.for_dealer(dealer).exists()
    assert LedgerHead.objects.get(dealer=dealer).sequence == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_resets_and_decisions_in_parallel_stay_gapless_and_verify(dealer: Dealer) -> None:
    """Bulk resets (COPY) and single decisions from other connections: a reader following the
    sequence never skips an event, and the chain and current view verify at the end."""
    deciders = [make_customer(dealer, n) for n in range(1, 5)]
    waves = [[make_customer(dealer, 100 + w * 50 + n) for n in range(50)] for w in range(4)]
    expected = 4 * 50 * 2 + len(deciders) * 60

    def decide(customer: Customer) -> None:
        for i in range(60):
            record_consent(
                dealer=dealer,
                customer=customer,
                decisions=[Decision("marketing", "sms", ["given", "withdrawn"][i % 2])],
                source="dms_api",
                actor=Actor.system("writer"),
            )

    def reset(wave: list[Customer]) -> None:
        for start in range(0, len(wave), 10):
            reset_new_customers(dealer=dealer, customers=wave[start : start + 10])

    seen = follow_while_writing(
        dealer,
        [partial(decide, c) for c in deciders] + [partial(reset, w) for w in waves],
        expected,
        timeout=120,
    )
    assert seen == list(range(1, expected + 1))
    # the deciders' e-mail channel was never decided: a later gdpr_reset fills only that
    assert gdpr_reset(dealer=dealer) == len(deciders)
    assert ConsentState.objects.for_dealer(dealer).filter(status="unknown").count() == 400 + 4
    assert states(dealer) == replay(dealer)
    assert verify_dealer(dealer).ok
