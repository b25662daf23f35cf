"""Choosing whom to print forms for: named customers, or every order on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from samtykke.customers.models import Contact, Customer
from samtykke.documents.consent_form import FormRequest
from samtykke.tenancy.models import Dealer


def forms_for_customer_numbers(
    dealer: Dealer, numbers: Sequence[str], language: str | None = None
) -> tuple[list[FormRequest], list[str]]:
    """Forms for these customer numbers, in the order given; and the numbers not found."""
    found = {
        c.customer_number: c
        for c in Customer.objects.for_dealer(dealer).filter(
            customer_number__in=list(numbers), erased_at__isnull=True
        )
    }
    missing = [n for n in numbers if n not in found]
    requests = [FormRequest(found[n], "", language) for n in numbers if n in found]
    return requests, missing


def forms_for_orders_on(
    dealer: Dealer, day: dt.date, language: str | None = None
) -> list[FormRequest]:
    """One form per order or visit on ``day`` (the dealer's time zone), with its reference."""
    zone = timezone.get_default_timezone()
    start = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + dt.timedelta(days=1)
    contacts = (
        Contact.objects.for_dealer(dealer)
        .filter(occurred_at__gte=start, occurred_at__lt=end, customer__erased_at__isnull=True)
        .select_related("customer")
        .order_by("occurred_at", "pk")
    )
    return [FormRequest(c.customer, c.reference, language) for c in contacts]
