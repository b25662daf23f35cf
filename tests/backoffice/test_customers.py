"""The customer register: search by every key, filters, paging, few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from samtykke.consent.actions import Actor, Decision, gdpr_reset, record_consent
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(dealer: Dealer, other_dealer: Dealer) -> dict[str, Customer]:
    people = {
        "kari": make_customer(
            dealer, 1, name="Kari Nordmann", mobile="912 34 567", email="kn@example.no"
        ),
        "ola": make_customer(
            dealer, 2, name="Ola Hansen", mobile="+47 41 23 45 67", email="Ola.Hansen@Example.no"
        ),
        "nils": make_customer(
            dealer, 3, name="nordmann, nils", customer_number="K-777", email="nn@example.no"
        ),
        "old": make_customer(dealer, 4, name="Gamle Kunde", email="gk@example.no"),
        "fjord": make_customer(other_dealer, 5, name="Kari Fjord"),
    }
    Customer.all_dealers.filter(pk=people["old"].pk).update(
        last_contact_at=timezone.now() - dt.timedelta(days=9 * 365)
    )
    gdpr_reset(dealer=dealer)
    record_consent(
        dealer=dealer,
        customer=people["kari"],
        decisions=[
            Decision("marketing", "sms", "given"),
            Decision("marketing", "email", "refused"),
        ],
        source="staff",
        actor=Actor.system("test"),
    )
    return people


def names(client: Client, query: str) -> list[str]:
    response = client.get("/kunder/", {"q": query} if isinstance(query, str) else query)
    assert response.status_code == 200
    return [c.name for c in response.context["customers"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kari", ["Kari Nordmann"]),
        ("KARI NORD", ["Kari Nordmann"]),
        ("Nordmann", ["nordmann, nils"]),
        ("91234567", ["Kari Nordmann"]),
        ("912 34 567", ["Kari Nordmann"]),
        ("+47 912", ["Kari Nordmann"]),
        ("004741234567", ["Ola Hansen"]),
        ("Ola.Hansen@", ["Ola Hansen"]),
        ("ola.hansen@", ["Ola Hansen"]),
        ("K-777", ["nordmann, nils"]),
        ("k-7", ["nordmann, nils"]),
        ("EXT-2", ["Ola Hansen"]),
        ("1002", ["Ola Hansen"]),
        ("Fjord", []),
    ],
)
def test_search_finds_by_every_key(
    bob_client: Client, register: dict[str, Customer], query: str, expected: list[str]
) -> None:
    assert names(bob_client, query) == expected


def test_search_anywhere_when_nothing_starts_so(
    bob_client: Client, register: dict[str, Customer]
) -> None:
    response = bob_client.get("/kunder/", {"q": "hansen"})
    assert [c.name for c in response.context["customers"]] == ["Ola Hansen"]
    assert response.context["broadened"]
    assert names(bob_client, {"q": "ola", "everywhere": "on"}) == ["Ola Hansen"]  # type: ignore[arg-type]
    assert names(bob_client, "OLA.HANSEN@EXAMPLE.NO") == ["Ola Hansen"]


def test_filter_by_consent_status_and_last_contact(
    bob_client: Client, register: dict[str, Customer]
) -> None:
    assert names(bob_client, {"status_sms": "given"}) == ["Kari Nordmann"]  # type: ignore[arg-type]
    listed = bob_client.get("/kunder/", {"q": "kari n"})
    assert listed.context["statuses"][0][1] == [("given", "SMS"), ("refused", "E-post")]
    assert '<span class="status status-given" title="SMS">Gitt</span>' in listed.content.decode()
    assert names(bob_client, {"status_email": "refused"}) == ["Kari Nordmann"]  # type: ignore[arg-type]
    assert "Kari Nordmann" not in names(bob_client, {"status_sms": "not_asked"})  # type: ignore[arg-type]
    assert len(names(bob_client, {"status_sms": "not_asked"})) == 3  # type: ignore[arg-type]
    recent = names(bob_client, {"contact": "5"})  # type: ignore[arg-type]
    assert "Gamle Kunde" not in recent and "Ola Hansen" in recent


def test_paging(bob_client: Client, dealer: Dealer) -> None:
    for n in range(30):
        make_customer(dealer, 100 + n, name=f"Per {n:02d}")
    first = bob_client.get("/kunder/", {"q": "per"})
    assert first.context["has_next"] and len(first.context["customers"]) == 25
    second = bob_client.get("/kunder/", {"q": "per", "page": "2"})
    assert [c.name for c in second.context["customers"]] == [f"Per {n}" for n in range(25, 30)]
    assert not second.context["has_next"]
    assert bob_client.get("/kunder/", {"page": "x"}).status_code == 200


def test_search_uses_few_queries(
    bob_client: Client, register: dict[str, Customer], django_assert_max_num_queries: Any
) -> None:
    from django.db import connection

    from samtykke.backoffice.search import text_conditions

    # PostgreSQL reads every spelling of the query in one UNION ALL; SQLite one query each.
    branches = len(text_conditions("kari"))
    assert branches <= 12
    one_query = connection.features.supports_slicing_ordering_in_compound
    with django_assert_max_num_queries(11 if one_query else 10 + branches):
        response = bob_client.get("/kunder/", {"q": "kari", "status_sms": "given", "contact": "5"})
    assert [c.name for c in response.context["customers"]] == ["Kari Nordmann"]


def test_bad_filter_values_are_a_clear_page_not_a_500(bob_client: Client) -> None:
    response = bob_client.get("/kunder/", {"status_sms": "nonsense", "contact": "99"})
    assert response.status_code == 200
    assert response.context["form"].errors
