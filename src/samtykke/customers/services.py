"""Writes to the customer register. Consent itself is written only by consent.actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from samtykke.customers.models import Contact, Customer
from samtykke.customers.normalize import (
    EmailResult,
    PhoneResult,
    normalize_email,
    normalize_phone,
)
from samtykke.tenancy.models import Dealer


class CustomerError(ValueError):
    """Bad input for the customer register: the message says what and why."""


@dataclass
class CustomerData:
    """What the DMS knows about a customer (all optional but the external id)."""

    external_id: str
    customer_number: str = ""
    name: str = ""
    mobile: str = ""
    email: str = ""
    birth_date: dt.date | None = None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    legacy_consent: dict[str, Any] | None = None


def apply_customer_data(
    customer: Customer,
    data: CustomerData,
    *,
    phone: PhoneResult | None = None,
    email: EmailResult | None = None,
) -> None:
    """Copy ``data`` onto ``customer``, normalizing phone and e-mail (invalid ones kept with why).

    ``phone`` and ``email`` may carry ``normalize_phone(data.mobile)`` and
    ``normalize_email(data.email)`` when they were already computed (the bulk import normalizes
    in a worker process while the previous batch is written).
    """
    if not data.external_id or len(data.external_id) > 64:
        raise CustomerError("external_id must be 1–64 characters.")
    phone = phone or normalize_phone(data.mobile)
    email = email or normalize_email(data.email)
    customer.external_id = data.external_id
    customer.customer_number = data.customer_number[:64]
    customer.name = data.name[:200]
    customer.birth_date = data.birth_date
    customer.mobile = phone.value[:40]
    customer.mobile_is_valid = phone.is_valid
    customer.mobile_is_mobile = phone.is_mobile
    customer.mobile_problem = phone.problem[:200]
    customer.email = email.value[:254]
    customer.email_is_valid = email.is_valid
    customer.email_problem = email.problem[:300]
    customer.street = data.street[:200]
    customer.postal_code = data.postal_code[:10]
    customer.city = data.city[:100]
    if data.legacy_consent is not None:
        customer.legacy_consent = data.legacy_consent
    customer.updated_at = timezone.now()


@transaction.atomic
def upsert_customer(*, dealer: Dealer, data: CustomerData) -> tuple[Customer, bool]:
    """Create or update the customer with this external id. Returns (customer, created)."""
    customer = (
        Customer.objects.for_dealer(dealer)
        .select_for_update(no_key=True)  # see portal.services.submitting
        .filter(external_id=data.external_id)
        .first()
    )
    created = customer is None
    if customer is None:
        customer = Customer(dealer=dealer)
    elif customer.is_erased:
        raise CustomerError(f"Customer {data.external_id} was erased and cannot be updated.")
    apply_customer_data(customer, data)
    customer.save()
    return customer, created


def problems(customer: Customer) -> list[str]:
    """Why a customer cannot be reached on a channel, in plain words."""
    found = []
    if customer.mobile_problem:
        found.append(f"mobile: {customer.mobile_problem}")
    if customer.email_problem:
        found.append(f"email: {customer.email_problem}")
    return found


@transaction.atomic
def record_contact(
    *,
    customer: Customer,
    kind: str,
    occurred_at: dt.datetime,
    reference: str = "",
) -> tuple[Contact, bool]:
    """Add an order or visit (idempotent on kind + reference); keeps last_contact_at current."""
    if kind not in Contact.Kind.values:
        raise CustomerError(f"kind must be one of {', '.join(Contact.Kind.values)}, not {kind!r}.")
    if timezone.is_naive(occurred_at):
        raise CustomerError("occurred_at needs a time zone.")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise CustomerError("occurred_at is in the future.")
    if customer.is_erased:
        raise CustomerError("The customer was erased.")
    contacts = Contact.objects.for_dealer(customer.dealer_id)
    contact: Contact | None = None
    if reference:
        contact = contacts.filter(customer=customer, kind=kind, reference=reference).first()
    created = contact is None
    if contact is None:
        contact = Contact.objects.create(
            dealer_id=customer.dealer_id,
            customer=customer,
            kind=kind,
            reference=reference[:64],
            occurred_at=occurred_at,
        )
    elif contact.occurred_at != occurred_at:
        contact.occurred_at = occurred_at
        contact.save(update_fields=["occurred_at"])
    refresh_last_contact(customer)
    return contact, created


def refresh_last_contact(customer: Customer) -> None:
    latest = (
        Contact.objects.for_dealer(customer.dealer_id)
        .filter(customer=customer)
        .aggregate(m=Max("occurred_at"))["m"]
    )
    if latest != customer.last_contact_at:
        customer.last_contact_at = latest
        Customer.all_dealers.filter(pk=customer.pk).update(last_contact_at=latest)
