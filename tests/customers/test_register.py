import datetime as dt

import pytest
from django.utils import timezone

from samtykke.customers.models import Customer
from samtykke.customers.normalize import mask_email, mask_phone, normalize_email, normalize_phone
from samtykke.customers.services import (
    CustomerData,
    CustomerError,
    record_contact,
    upsert_customer,
)
from samtykke.tenancy.models import Dealer


@pytest.mark.parametrize(
    ("raw", "e164", "mobile"),
    [
        ("912 34 567", "+4791234567", True),
        ("+47 41234567", "+4741234567", True),
        ("0047 91234567", "+4791234567", True),
        ("22 00 00 00", "+4722000000", False),
    ],
)
def test_phone_numbers_are_normalized(raw: str, e164: str, mobile: bool) -> None:
    result = normalize_phone(raw)
    assert result.is_valid and result.value == e164 and result.is_mobile is mobile
    assert (result.problem == "") is mobile


@pytest.mark.parametrize("raw", ["123", "not a number", "+47 1234"])
def test_invalid_phone_numbers_keep_the_input_and_the_reason(raw: str) -> None:
    result = normalize_phone(raw)
    assert not result.is_valid and result.value == raw.strip() and result.problem


def test_email_validation() -> None:
    assert normalize_email(" Kari@Example.NO ").value == "Kari@example.no"
    bad = normalize_email("kari@@example")
    assert not bad.is_valid and bad.value == "kari@@example" and "not a valid" in bad.problem


def test_masks() -> None:
    assert mask_phone("+4791234567") == "+47 ••• •• 567"
    assert mask_email("kari@example.no") == "k•••@example.no"


def test_upsert_keeps_invalid_values_with_their_reason(dealer: Dealer) -> None:
    customer, created = upsert_customer(
        dealer=dealer,
        data=CustomerData(external_id="A1", name="Nordmann, Ola", mobile="22000000", email="x@"),
    )
    assert created
    assert customer.mobile == "+4722000000" and not customer.can_receive_sms
    assert "not a mobile" in customer.mobile_problem
    assert customer.email == "x@" and not customer.email_is_valid and customer.email_problem
    assert customer.first_name == "Ola"
    again, created = upsert_customer(
        dealer=dealer, data=CustomerData(external_id="A1", name="Ola Nordmann", mobile="91234567")
    )
    assert not created and again.pk == customer.pk and again.can_receive_sms
    assert Customer.objects.for_dealer(dealer).count() == 1


def test_last_contact_follows_the_contacts(dealer: Dealer) -> None:
    customer, _ = upsert_customer(dealer=dealer, data=CustomerData(external_id="A2"))
    now = timezone.now()
    record_contact(
        customer=customer,
        kind="workshop_order",
        reference="WO-1",
        occurred_at=now - dt.timedelta(days=400),
    )
    record_contact(
        customer=customer,
        kind="vehicle_sale",
        reference="S-9",
        occurred_at=now - dt.timedelta(days=3),
    )
    record_contact(
        customer=customer,
        kind="workshop_order",
        reference="WO-1",
        occurred_at=now - dt.timedelta(days=500),
    )
    customer.refresh_from_db()
    assert customer.last_contact_at == now - dt.timedelta(days=3)
    assert customer.contacts.count() == 2  # the same order again updated, not duplicated
    with pytest.raises(CustomerError, match="future"):
        record_contact(customer=customer, kind="other", occurred_at=now + dt.timedelta(days=1))
    with pytest.raises(CustomerError, match="kind"):
        record_contact(customer=customer, kind="lunch", occurred_at=now)


@pytest.mark.parametrize(
    "raw",
    [
        "91234567",
        "41234567",
        "42000000",
        "22 00 00 00",
        "80012345",
        "+46 70 123 45 67",
        "+44 20 7946 0958",
        "+800 1234 5678",
        "+47 79 02 12 34",
        "12",
        "0047 912 34 567",
        "9123456789",
        "abc",
        "+999 123",
    ]
    + [f"{lead}{n:07d}" for lead in "2345789" for n in (0, 1234567, 9999999)],
)
def test_phone_validity_is_what_is_valid_number_says(raw: str) -> None:
    """normalize_phone asks number_type only; the old double check must agree everywhere."""
    import phonenumbers

    result = normalize_phone(raw)
    try:
        number = phonenumbers.parse(raw, "NO")
    except phonenumbers.NumberParseException:
        assert not result.is_valid and result.problem.startswith("not a phone number")
        return
    assert result.is_valid == phonenumbers.is_valid_number(number)
    if result.is_valid:
        assert result.value == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
