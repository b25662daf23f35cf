"""The orders list and printing the consent form from orders, one or many."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from samtykke.customers.models import Contact, Customer
from samtykke.customers.services import record_contact
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def todays_orders(dealer: Dealer) -> list[Contact]:
    orders = []
    for n in range(3):
        customer = make_customer(dealer, 10 + n, name=f"Ærlige Øystein Å{n}")
        contact, _ = record_contact(
            customer=customer,
            kind="workshop_order" if n < 2 else "vehicle_sale",
            reference=f"AO-{n}",
            occurred_at=timezone.now() - dt.timedelta(minutes=5),
        )
        orders.append(contact)
    return orders


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_orders_list_shows_todays_orders_by_default(
    bob_client: Client, todays_orders: list[Contact], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        response = bob_client.get("/ordre/")
    assert [o.reference for o in response.context["orders"]] == ["AO-2", "AO-1", "AO-0"]


def test_orders_filter_by_kind_and_date(bob_client: Client, todays_orders: list[Contact]) -> None:
    today = timezone.localdate().isoformat()
    response = bob_client.get(
        "/ordre/", {"day_from": today, "day_to": today, "kind": "workshop_order"}
    )
    assert [o.reference for o in response.context["orders"]] == ["AO-1", "AO-0"]
    older = timezone.localtime(timezone.now() - dt.timedelta(days=30)).date()
    response = bob_client.get(
        "/ordre/", {"day_from": (older - dt.timedelta(days=1)).isoformat(), "day_to": older}
    )
    assert {o.reference for o in response.context["orders"]} == {"WO-10", "WO-11", "WO-12"}
    older = older.isoformat()  # type: ignore[assignment]
    bad = bob_client.get("/ordre/", {"day_from": today, "day_to": older})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_print_from_an_order_names_the_order(
    bob_client: Client, todays_orders: list[Contact]
) -> None:
    order = todays_orders[0]
    assert bob_client.get(f"/ordre/{order.pk}/skriv-ut/").status_code == 405
    response = bob_client.post(f"/ordre/{order.pk}/skriv-ut/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "AO-0" in text and "Ærlige Øystein Å0" in text


def test_batch_print_of_todays_workshop_orders(
    bob_client: Client, todays_orders: list[Contact]
) -> None:
    today = timezone.localdate().isoformat()
    response = bob_client.post(
        "/ordre/skriv-ut/", {"day_from": today, "day_to": today, "kind": "workshop_order"}
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert "AO-0" in text and "AO-1" in text and "AO-2" not in text
    assert len(reader.pages) >= 2


def test_batch_print_of_ticked_orders(bob_client: Client, todays_orders: list[Contact]) -> None:
    response = bob_client.post("/ordre/skriv-ut/", {"order": [str(todays_orders[2].pk)]})
    text = pdf_text(response.content)
    assert "AO-2" in text and "AO-0" not in text


def test_batch_print_with_nothing_is_a_message(
    bob_client: Client, other_customer: Customer
) -> None:
    foreign = Contact.objects.for_dealer(other_customer.dealer).get()
    response = bob_client.post("/ordre/skriv-ut/", {"order": [str(foreign.pk)]}, follow=True)
    assert response.status_code == 200
    assert "Ingen ordre å skrive ut" in response.content.decode()
