"""Property tests: any sequence of actions keeps the current view equal to a replay of the ledger,
and changing, deleting or inserting any single event row is detected by verify."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from samtykke.consent.actions import Actor, Decision, erase_customer, gdpr_reset, record_consent
from samtykke.consent.ledger import evidence_digest
from samtykke.consent.models import ConsentEvent, ConsentState
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Customer
from samtykke.customers.services import CustomerData, upsert_customer
from samtykke.tenancy.models import Dealer
from samtykke.tenancy.services import create_dealer

STATUSES = ["given", "refused", "withdrawn", "unknown", "requested", "pending", "expired"]
SOURCES = ["portal", "paper_form", "staff", "dms_api", "sms_reply"]

record_action = st.tuples(
    st.just("record"),
    st.integers(0, 2),  # dealer
    st.integers(0, 3),  # customer
    st.sampled_from(["sms", "email"]),
    st.sampled_from(STATUSES),
    st.sampled_from(SOURCES),
    st.integers(0, 10_000),  # minutes ago
)
action = st.one_of(
    record_action,
    st.tuples(st.just("reset"), st.integers(0, 2)),
    st.tuples(st.just("erase"), st.integers(0, 2), st.integers(0, 3)),
)


def make_world() -> list[tuple[Dealer, list[Customer]]]:
    world = []
    for index, org in enumerate(["923609016", "974760673", "986105174"]):
        dealer = create_dealer(name=f"Dealer {index}", org_number=org, slug=f"dealer-{index}")
        customers = [
            upsert_customer(
                dealer=dealer, data=CustomerData(external_id=f"C{n}", mobile="91234567")
            )[0]
            for n in range(4)
        ]
        world.append((dealer, customers))
    return world


def run(world: list[tuple[Dealer, list[Customer]]], actions: list[tuple[Any, ...]]) -> None:
    now = timezone.now()
    for act in actions:
        if act[0] == "record":
            _, d, c, channel, status, source, minutes = act
            dealer, customers = world[d]
            customer = customers[c]
            customer.refresh_from_db()
            if customer.is_erased:
                continue
            record_consent(
                dealer=dealer,
                customer=customer,
                decisions=[Decision("marketing", channel, status)],
                source=source,
                actor=Actor.system("test"),
                occurred_at=now - dt.timedelta(minutes=minutes),
                evidence={"note": f"step {minutes}"},
            )
        elif act[0] == "reset":
            gdpr_reset(dealer=world[act[1]][0])
        else:
            dealer, customers = world[act[1]]
            customer = customers[act[2]]
            customer.refresh_from_db()
            if not customer.is_erased:
                erase_customer(dealer=dealer, customer=customer, actor=Actor.system())


def replay(dealer: Dealer) -> dict[tuple[int, int, int], str]:
    best: dict[tuple[int, int, int], ConsentEvent] = {}
    for event in ConsentEvent.objects.for_dealer(dealer).order_by("sequence"):
        key = (event.customer_id, event.purpose_id, event.channel_id)
        if key not in best or event.occurred_at >= best[key].occurred_at:
            best[key] = event
    return {k: e.status for k, e in best.items()}


class LedgerProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(actions=st.lists(action, min_size=1, max_size=25))
    def test_state_is_a_replay_and_verify_passes(self, actions: list[tuple[Any, ...]]) -> None:
        world = make_world()
        run(world, actions)
        for dealer, _ in world:
            states = {
                (s.customer_id, s.purpose_id, s.channel_id): s.status
                for s in ConsentState.objects.for_dealer(dealer)
            }
            assert states == replay(dealer)
            sequences = list(
                ConsentEvent.objects.for_dealer(dealer)
                .values_list("sequence", flat=True)
                .order_by("sequence")
            )
            assert sequences == list(range(1, len(sequences) + 1))
            assert verify_dealer(dealer).ok, verify_dealer(dealer).problem

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        actions=st.lists(record_action, min_size=3, max_size=12),
        tamper=st.sampled_from(
            ["status", "occurred_at", "evidence", "customer", "delete", "insert", "sequence"]
        ),
        pick=st.integers(0, 1000),
    )
    def test_any_single_tampering_is_detected(
        self, actions: list[tuple[Any, ...]], tamper: str, pick: int
    ) -> None:
        world = make_world()
        run(world, actions)
        dealer = max(
            (d for d, _ in world), key=lambda d: ConsentEvent.objects.for_dealer(d).count()
        )
        events = list(ConsentEvent.objects.for_dealer(dealer).order_by("sequence"))
        assert verify_dealer(dealer).ok
        victim = events[pick % len(events)]
        rows = ConsentEvent.all_dealers.filter(pk=victim.pk)
        if tamper == "status":
            rows.update(status="given" if victim.status != "given" else "refused")
        elif tamper == "occurred_at":
            rows.update(occurred_at=victim.occurred_at - dt.timedelta(seconds=1))
        elif tamper == "evidence":
            rows.update(evidence={"note": "forged"})
        elif tamper == "customer":
            other = Customer.objects.for_dealer(dealer).exclude(pk=victim.customer_id).first()
            rows.update(customer=other)
        elif tamper == "sequence":
            rows.update(sequence=victim.sequence + 10_000)
        elif tamper == "delete":
            with connection.cursor() as cursor:  # behind the product's back, constraints and all
                ConsentState.all_dealers.filter(event_id=victim.pk).delete()
                cursor.execute("DELETE FROM consent_consentevent WHERE id = %s", [victim.pk])
        else:  # insert a forged event after the victim, without the ledger key
            forged = ConsentEvent.all_dealers.get(pk=victim.pk)
            forged.pk = None
            forged.sequence = events[-1].sequence + 1
            forged.status = "given"
            forged.prev_hash = events[-1].hash
            forged.evidence = {"note": "forged"}
            forged.evidence_sha256 = evidence_digest(forged.evidence)
            forged.hash = "f" * 64
            forged.save()
        result = verify_dealer(dealer)
        assert not result.ok, f"{tamper} on #{victim.sequence} went unnoticed"
        assert result.problem


class WholeChainRewrite(TestCase):
    def test_rewriting_the_chain_without_the_ledger_key_is_detected(self) -> None:
        from samtykke.consent.ledger import event_hash

        world = make_world()
        run(
            world,
            [
                ("record", 0, 0, "sms", "given", "portal", 5),
                ("record", 0, 1, "sms", "refused", "staff", 3),
            ],
        )
        dealer = world[0][0]
        prev = "0" * 64
        for event in ConsentEvent.objects.for_dealer(dealer).order_by("sequence"):
            # an attacker with database access only: they know the algorithm, not the key
            event.status = "given"
            event.prev_hash = prev
            event.hash = event_hash(
                dealer_id=event.dealer_id,
                sequence=event.sequence,
                customer_id=event.customer_id,
                purpose_id=event.purpose_id,
                channel_id=event.channel_id,
                status=event.status,
                source=event.source,
                notice_version_id=event.notice_version_id,
                notice_sha256=event.notice_version.content_sha256 if event.notice_version else "",
                notice_assumed=event.notice_assumed,
                legal_basis=event.legal_basis,
                actor_kind=event.actor_kind,
                actor_user_id=event.actor_user_id,
                actor_api_key_id=event.actor_api_key_id,
                actor_label=event.actor_label,
                evidence_sha256=event.evidence_sha256,
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                prev_hash=prev,
                key=b"guessed-key",
            )
            prev = event.hash
            event.save()
        assert not verify_dealer(dealer).ok
