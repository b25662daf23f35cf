import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from samtykke.consent.actions import (
    Actor,
    ConsentError,
    Decision,
    erase_customer,
    gdpr_reset,
    record_consent,
)
from samtykke.consent.models import ConsentEvent, ConsentState, NoticeVersion
from samtykke.consent.notices import current_notice_version, publish_notice_version
from samtykke.consent.receipts import build_receipt
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Customer
from samtykke.customers.services import CustomerData, upsert_customer
from samtykke.tenancy.models import Dealer

GIVE_SMS = [Decision("marketing", "sms", "given")]


def state(dealer: Dealer, customer: Customer, channel: str) -> ConsentState:
    return ConsentState.objects.for_dealer(dealer).get(customer=customer, channel__key=channel)


def test_recording_writes_event_and_state_together(
    dealer: Dealer, customer: Customer, alice: Any
) -> None:
    events = record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[
            Decision("marketing", "sms", "given"),
            Decision("marketing", "email", "refused"),
        ],
        source="paper_form",
        actor=Actor.staff(alice),
        evidence={"form_reference": "bilhuset-nord/1001/nb-v1"},
    )
    assert [e.sequence for e in events] == [1, 2]
    assert events[1].prev_hash == events[0].hash
    assert events[0].notice_version is not None and events[0].notice_assumed
    assert events[0].actor_user == alice
    assert state(dealer, customer, "sms").status == "given"
    assert state(dealer, customer, "email").status == "refused"
    assert verify_dealer(dealer).ok


def test_an_older_paper_form_does_not_undo_a_later_withdrawal(
    dealer: Dealer, customer: Customer, alice: Any
) -> None:
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", "sms", "withdrawn")],
        source="portal",
        actor=Actor.customer(),
    )
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=GIVE_SMS,
        source="paper_form",
        actor=Actor.staff(alice),
        occurred_at=timezone.now() - dt.timedelta(days=7),
    )
    assert state(dealer, customer, "sms").status == "withdrawn"
    assert ConsentEvent.objects.for_dealer(dealer).count() == 2
    assert verify_dealer(dealer).ok


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"decisions": [Decision("newsletter", "sms", "given")]}, "unknown_purpose"),
        ({"decisions": [Decision("marketing", "fax", "given")]}, "unknown_channel"),
        ({"decisions": [Decision("marketing", "sms", "maybe")]}, "unknown_status"),
        ({"occurred_at": timezone.now() + dt.timedelta(hours=1)}, "occurred_in_future"),
        ({"notice_version": "nope"}, "unknown_notice_version"),
        ({"source": "carrier_pigeon"}, "unknown_source"),
        ({"decisions": []}, "no_decisions"),
        ({"decisions": GIVE_SMS * 2}, "duplicate_decision"),
    ],
)
def test_refuses_bad_writes(
    dealer: Dealer, customer: Customer, kwargs: dict[str, Any], code: str
) -> None:
    args: dict[str, Any] = {
        "dealer": dealer,
        "customer": customer,
        "decisions": GIVE_SMS,
        "source": "staff",
        "actor": Actor.system(),
    }
    args.update(kwargs)
    with pytest.raises(ConsentError) as exc:
        record_consent(**args)
    assert exc.value.code == code and exc.value.message
    assert not ConsentEvent.objects.for_dealer(dealer).exists()


def test_refuses_another_dealers_customer_and_notice(
    dealer: Dealer, other_dealer: Dealer, customer: Customer, other_customer: Customer
) -> None:
    with pytest.raises(ConsentError) as exc:
        record_consent(
            dealer=dealer,
            customer=other_customer,
            decisions=GIVE_SMS,
            source="staff",
            actor=Actor.system(),
        )
    assert exc.value.code == "customer_not_found"
    foreign: NoticeVersion = current_notice_version(other_dealer, "nb")
    with pytest.raises(ConsentError) as exc:
        record_consent(
            dealer=dealer,
            customer=customer,
            decisions=GIVE_SMS,
            source="staff",
            actor=Actor.system(),
            notice_version=foreign,
        )
    assert exc.value.code == "unknown_notice_version"
    with pytest.raises(ConsentError) as exc:
        record_consent(
            dealer=dealer,
            customer=customer,
            decisions=GIVE_SMS,
            source="staff",
            actor=Actor.system(),
            notice_version=foreign.reference,
        )
    assert exc.value.code == "unknown_notice_version"


def test_refuses_a_language_mismatch(dealer: Dealer, customer: Customer) -> None:
    english = current_notice_version(dealer, "en")
    with pytest.raises(ConsentError) as exc:
        record_consent(
            dealer=dealer,
            customer=customer,
            decisions=GIVE_SMS,
            source="portal",
            actor=Actor.customer(),
            notice_version=english,
            language="nb",
        )
    assert exc.value.code == "notice_language_mismatch"
    events = record_consent(
        dealer=dealer,
        customer=customer,
        decisions=GIVE_SMS,
        source="portal",
        actor=Actor.customer(),
        notice_version=english.reference,
        language="en",
    )
    assert events[0].notice_version == english and not events[0].notice_assumed


def test_published_versions_are_immutable_and_old_events_keep_theirs(
    dealer: Dealer, customer: Customer
) -> None:
    first = current_notice_version(dealer, "nb")
    record_consent(
        dealer=dealer, customer=customer, decisions=GIVE_SMS, source="staff", actor=Actor.system()
    )
    second = publish_notice_version(
        dealer=dealer, language="nb", title="Ny tekst", text="Ny versjon av teksten."
    )
    assert second.version == first.version + 1
    assert current_notice_version(dealer, "nb") == second
    assert ConsentEvent.objects.for_dealer(dealer).get().notice_version == first
    first.text = "changed"
    with pytest.raises(RuntimeError):
        first.save()


def test_erased_customers_keep_their_ledger_without_personal_data(
    dealer: Dealer, customer: Customer
) -> None:
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=GIVE_SMS,
        source="portal",
        actor=Actor.customer(),
        evidence={"ip": "10.0.0.1", "user_agent": "Phone"},
    )
    erase_customer(dealer=dealer, customer=customer, actor=Actor.system())
    customer.refresh_from_db()
    assert (
        customer.is_erased
        and customer.name == ""
        and customer.mobile == ""
        and customer.email == ""
    )
    event = ConsentEvent.objects.for_dealer(dealer).get()
    assert event.evidence == {} and event.evidence_erased_at is not None
    assert verify_dealer(dealer).ok
    with pytest.raises(ConsentError) as exc:
        record_consent(
            dealer=dealer,
            customer=customer,
            decisions=GIVE_SMS,
            source="staff",
            actor=Actor.system(),
        )
    assert exc.value.code == "customer_erased"


def test_gdpr_reset_is_unknown_idempotent_and_keeps_legacy_as_evidence(dealer: Dealer) -> None:
    legacy, _ = upsert_customer(
        dealer=dealer,
        data=CustomerData(external_id="L1", mobile="91234567", legacy_consent={"sms": "Ja"}),
    )
    plain, _ = upsert_customer(dealer=dealer, data=CustomerData(external_id="L2"))
    assert gdpr_reset(dealer=dealer) == 4
    states = ConsentState.objects.for_dealer(dealer)
    assert {s.status for s in states} == {"unknown"} and {s.source for s in states} == {
        "gdpr_reset"
    }
    event = (
        ConsentEvent.objects.for_dealer(dealer).filter(customer=legacy, channel__key="sms").get()
    )
    assert event.evidence == {"legacy_dms_value": {"sms": "Ja"}} and event.status == "unknown"
    record_consent(
        dealer=dealer, customer=plain, decisions=GIVE_SMS, source="portal", actor=Actor.customer()
    )
    assert gdpr_reset(dealer=dealer) == 0
    assert state(dealer, plain, "sms").status == "given"
    assert verify_dealer(dealer).ok


def test_receipt_has_the_consent_record_fields(
    dealer: Dealer, customer: Customer, alice: Any
) -> None:
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=GIVE_SMS,
        source="paper_form",
        actor=Actor.staff(alice),
    )
    receipt = build_receipt(dealer, customer)
    assert receipt["controller"]["name"] == dealer.name
    assert receipt["controller"]["organisation_number"] == dealer.org_number
    assert receipt["how_to_withdraw"]
    record = receipt["records"][0]
    for field in (
        "record_id",
        "purpose",
        "legal_basis",
        "collection_method",
        "occurred_at",
        "status",
        "notice",
    ):
        assert record[field], field
    assert record["dpv_status"] == "dpv:ConsentGiven"
    assert record["notice"]["language"] == "nb"
    assert receipt["current"] == [
        {
            "purpose": "marketing",
            "channel": "sms",
            "status": "given",
            "dpv_status": "dpv:ConsentGiven",
            "since": record["occurred_at"],
            "source": "paper_form",
            "record_id": record["record_id"],
        }
    ]
