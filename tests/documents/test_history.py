"""The consent history PDF: controller, current state, every event with evidence, notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samtykke.consent.actions import (
    Actor,
    Decision,
    erase_customer,
    record_consent,
    reset_new_customers,
)
from samtykke.consent.models import Source, Status
from samtykke.customers.models import Customer
from samtykke.documents.history import render_consent_history
from samtykke.tenancy.models import Dealer
from tests.documents.pdfs import pdf_text, render_pages


def _flat(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_text(pdf)).split())


def test_history_shows_state_events_evidence_and_notice(
    dealer: Dealer, customer: Customer, bob: object
) -> None:
    customer.legacy_consent = {"SMS": "Ja"}
    reset_new_customers(dealer=dealer, customers=[customer])
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[
            Decision("marketing", "sms", Status.GIVEN),
            Decision("marketing", "email", Status.REFUSED),
        ],
        source=Source.PAPER_FORM,
        actor=Actor.staff(bob),  # type: ignore[arg-type]
        occurred_at=timezone.now() - dt.timedelta(days=2),
        notice_version="bilhuset-nord/consent/nb/v1",
        evidence={"form_reference": "bilhuset-nord/1001/nb-v1", "note": "<b>signert</b>"},
    )
    pdf = render_consent_history(dealer=dealer, customer=customer, language="nb")
    render_pages(pdf, dpi=80, save_as="consent-history")
    squeezed = "".join(_flat(pdf).split())  # long values may wrap anywhere in a table cell
    for expected in (
        "Samtykkehistorikk",
        "Bilhuset Nord AS",
        "923 609 016",
        customer.name,
        "1001",
        "Gitt",
        "Avslått",
        "Ikke spurt",
        "Papirskjema",
        "GDPR-nullstilling",
        "bob@bilhuset-nord.no",
        "bilhuset-nord/consent/nb/v1",
        "form_reference: bilhuset-nord/1001/nb-v1",
        "note: <b>signert</b>",
        "legacy_dms_value: {'SMS': 'Ja'}",
        "registrert",
        "SHA-256",
    ):
        assert "".join(expected.split()) in squeezed, expected


@pytest.mark.parametrize(
    ("language", "title"), [("nn", "Samtykkehistorikk"), ("en", "Consent history")]
)
def test_history_in_other_languages(
    dealer: Dealer, customer: Customer, language: str, title: str
) -> None:
    flat = _flat(render_consent_history(dealer=dealer, customer=customer, language=language))
    assert title in flat


def test_erased_customer_history_keeps_events_without_personal_data(
    dealer: Dealer, customer: Customer
) -> None:
    reset_new_customers(dealer=dealer, customers=[customer])
    name = customer.name
    erase_customer(dealer=dealer, customer=customer, actor=Actor.system("test"))
    flat = _flat(render_consent_history(dealer=dealer, customer=customer, language="en"))
    assert name not in flat
    assert "(erased)" in flat and "Not asked" in flat


def test_history_refuses_another_dealers_customer(dealer: Dealer, other_customer: Customer) -> None:
    with pytest.raises(ValueError):
        render_consent_history(dealer=dealer, customer=other_customer, language="nb")
    with pytest.raises(ValueError):
        render_consent_history(dealer=dealer, customer=other_customer, language="de")
