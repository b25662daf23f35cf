"""Form references: short, typed or scanned, parsed back to customer, notice version and order."""

from __future__ import annotations

import pytest

from samtykke.consent.notices import current_notice_version, publish_notice_version
from samtykke.customers.models import Customer
from samtykke.documents.reference import (
    FormReferenceError,
    format_form_reference,
    parse_form_reference,
)
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer


def test_round_trip_with_an_order(dealer: Dealer, customer: Customer) -> None:
    notice = current_notice_version(dealer, "nn")
    text = format_form_reference(
        dealer=dealer, customer=customer, notice_version=notice, order_reference="WO-123"
    )
    assert text == "bilhuset-nord/1001/nn-v1/WO-123"
    parsed = parse_form_reference(dealer, text)
    assert (parsed.customer_number, parsed.order_reference) == ("1001", "WO-123")
    assert parsed.notice_version == notice
    assert parsed.find_customer(dealer) == customer


def test_typed_with_spaces_and_capitals(dealer: Dealer, customer: Customer) -> None:
    parsed = parse_form_reference(dealer, "  Bilhuset-Nord/1001/NB-V1 ")
    assert parsed.customer_number == "1001" and parsed.order_reference == ""
    assert parsed.notice_version.language == "nb"


def test_awkward_numbers_survive(dealer: Dealer) -> None:
    customer = make_customer(dealer, 3, customer_number="A/7 Ø")
    notice = publish_notice_version(dealer=dealer, language="nb", title="T", text="Tekst")
    text = format_form_reference(
        dealer=dealer, customer=customer, notice_version=notice, order_reference="2024/55 %"
    )
    assert text == "bilhuset-nord/A%2F7%20%C3%98/nb-v2/2024%2F55%20%25"
    parsed = parse_form_reference(dealer, text)
    assert parsed.customer_number == "A/7 Ø" and parsed.order_reference == "2024/55 %"
    assert parsed.notice_version == notice
    assert parsed.find_customer(dealer) == customer


def test_a_customer_without_number_is_named_by_external_id(dealer: Dealer) -> None:
    customer = make_customer(dealer, 4, customer_number="", external_id="DMS:44")
    notice = current_notice_version(dealer, "nb")
    text = format_form_reference(dealer=dealer, customer=customer, notice_version=notice)
    assert text == "bilhuset-nord/e:DMS%3A44/nb-v1"
    parsed = parse_form_reference(dealer, text)
    assert parsed.external_id == "DMS:44" and parsed.find_customer(dealer) == customer


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("hello", "looks like dealer/customer number"),
        ("fjord-auto/1001/nb-v1", "another dealer"),
        ("bilhuset-nord/1001/v1", "not a notice version"),
        ("bilhuset-nord/1001/nb-v9", "never published"),
        ("bilhuset-nord//nb-v1", "names no customer"),
        ("bilhuset-nord/1/nb-v1/a/b", "looks like"),
        ("x" * 400, "too long"),
    ],
)
def test_bad_references_say_what_is_wrong(dealer: Dealer, text: str, message: str) -> None:
    with pytest.raises(FormReferenceError, match=message):
        parse_form_reference(dealer, text)
    assert issubclass(FormReferenceError, ValueError)


def test_another_dealers_notice_is_not_found(
    dealer: Dealer, other_dealer: Dealer, other_customer: Customer
) -> None:
    notice = current_notice_version(other_dealer, "nb")
    text = format_form_reference(
        dealer=other_dealer, customer=other_customer, notice_version=notice
    )
    with pytest.raises(FormReferenceError, match="another dealer"):
        parse_form_reference(dealer, text)
    with pytest.raises(ValueError):
        format_form_reference(dealer=dealer, customer=other_customer, notice_version=notice)
