"""Creating and updating many customers at once (the bulk route and PUT share it).

One transaction per call: the existing rows are read (locked) in one query, new ones are
inserted with ``bulk_create``, changed ones written with ``bulk_update``, unchanged ones not
written at all, and the new customers start as ``unknown`` through
``consent.actions.reset_new_customers``. A concurrent insert of the same external id makes the
whole call retry, so two DMS pushes never make two customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from samtykke.api.schemas import CustomerIn
from samtykke.consent.actions import reset_new_customers
from samtykke.customers.models import Customer
from samtykke.customers.services import CustomerData, CustomerError, apply_customer_data, problems
from samtykke.tenancy.models import Dealer

WRITTEN_FIELDS = [
    "customer_number",
    "name",
    "birth_date",
    "mobile",
    "mobile_is_valid",
    "mobile_is_mobile",
    "mobile_problem",
    "email",
    "email_is_valid",
    "email_problem",
    "street",
    "postal_code",
    "city",
    "updated_at",
]
COMPARED = WRITTEN_FIELDS[:-1]


@dataclass
class ItemResult:
    external_id: str
    result: str  # created, updated, unchanged, error
    code: str = ""
    message: str = ""
    customer: Customer | None = None
    problems: list[str] = field(default_factory=list)


def to_data(external_id: str, item: CustomerIn) -> CustomerData:
    birth_date = None
    if item.birth_date:
        try:
            birth_date = dt.date.fromisoformat(item.birth_date)
        except ValueError:
            raise CustomerError(f"birth_date {item.birth_date!r} is not a date.") from None
    return CustomerData(
        external_id=external_id,
        customer_number=item.customer_number,
        name=item.name,
        mobile=item.mobile,
        email=item.email,
        birth_date=birth_date,
        street=item.address.street,
        postal_code=item.address.postal_code,
        city=item.address.city,
    )


def _snapshot(customer: Customer) -> tuple[object, ...]:
    return tuple(getattr(customer, name) for name in COMPARED)


def save_customers(dealer: Dealer, items: list[tuple[str, CustomerIn]]) -> list[ItemResult]:
    """Create or update each (external_id, fields); one result per item, in order."""
    for attempt in range(3):
        try:
            return _save_once(dealer, items)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _save_once(dealer: Dealer, items: list[tuple[str, CustomerIn]]) -> list[ItemResult]:
    results: list[ItemResult] = []
    prepared: list[tuple[ItemResult, CustomerData]] = []
    seen: set[str] = set()
    for external_id, item in items:
        result = ItemResult(external_id, "error")
        results.append(result)
        if external_id in seen:
            result.code, result.message = "duplicate_in_request", "The same external id twice."
            continue
        seen.add(external_id)
        try:
            prepared.append((result, to_data(external_id, item)))
        except CustomerError as exc:
            result.code, result.message = "invalid_customer", str(exc)
    existing = {
        c.external_id: c
        for c in Customer.objects.for_dealer(dealer)
        .select_for_update(no_key=True)  # see portal.services.submitting
        .filter(external_id__in=[data.external_id for _, data in prepared])
    }
    new: list[Customer] = []
    changed: list[Customer] = []
    for result, data in prepared:
        customer = existing.get(data.external_id)
        if customer is not None and customer.is_erased:
            result.code = "customer_erased"
            result.message = "The customer was erased and cannot be updated."
            continue
        before = _snapshot(customer) if customer is not None else None
        target = customer or Customer(dealer=dealer)
        try:
            apply_customer_data(target, data)
        except CustomerError as exc:
            result.code, result.message = "invalid_customer", str(exc)
            continue
        result.customer = target
        result.problems = problems(target)
        if customer is None:
            result.result = "created"
            new.append(target)
        elif before != _snapshot(target):
            result.result = "updated"
            changed.append(target)
        else:
            result.result = "unchanged"
    if new:
        Customer.objects.bulk_create(new)
        reset_new_customers(dealer=dealer, customers=new)
    if changed:
        Customer.all_dealers.bulk_update(changed, WRITTEN_FIELDS, batch_size=500)
    return results
