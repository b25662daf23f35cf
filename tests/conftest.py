"""Shared fixtures: two dealers (Bilhuset Nord, Fjord Auto) with staff, keys and customers.

Named people, as in healthchecks' tests: ``alice`` is admin at ``dealer``, ``bob`` is staff at
``dealer``, ``carol`` is admin at ``other_dealer``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from samtykke.consent.setup import ensure_channels
from samtykke.customers.models import Customer
from samtykke.customers.services import CustomerData, record_contact, upsert_customer
from samtykke.tenancy.models import ApiKey, Dealer
from samtykke.tenancy.services import add_staff_user, create_dealer


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    is_postgres = settings.IS_POSTGRES
    for item in items:
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (SAMTYKKE_DATABASE_URL)"))


@pytest.fixture(autouse=True)
def _channels_after_flush(request: pytest.FixtureRequest) -> None:
    """A transactional test (live server, browser, concurrency) starts from a flushed database,
    without the channels migration 0002 made: put them back before any dealer is made."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if not transactional and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    ensure_channels()


@pytest.fixture
def dealer(db: None) -> Dealer:
    return create_dealer(
        name="Bilhuset Nord AS",
        org_number="923609016",
        slug="bilhuset-nord",
        consent_option=Dealer.ConsentOption.ASSISTED,
        street="Storgata 1",
        postal_code="9008",
        city="Tromsø",
        contact_email="post@bilhuset-nord.no",
        contact_phone="+47 77 00 00 00",
        sms_sender="BilhusNord",
        sending_hours=None,
    )


@pytest.fixture
def other_dealer(db: None) -> Dealer:
    return create_dealer(
        name="Fjord Auto AS",
        org_number="974760673",
        slug="fjord-auto",
        consent_option=Dealer.ConsentOption.MANUAL,
        contact_email="post@fjordauto.no",
        sms_sender="FjordAuto",
    )


@pytest.fixture
def alice(dealer: Dealer) -> Any:
    user, _ = add_staff_user(
        dealer=dealer, email="alice@bilhuset-nord.no", role="admin", password="alice-password-1"
    )
    return user


@pytest.fixture
def bob(dealer: Dealer) -> Any:
    user, _ = add_staff_user(
        dealer=dealer, email="bob@bilhuset-nord.no", role="staff", password="bob-password-1"
    )
    return user


@pytest.fixture
def carol(other_dealer: Dealer) -> Any:
    user, _ = add_staff_user(
        dealer=other_dealer, email="carol@fjordauto.no", role="admin", password="carol-password-1"
    )
    return user


@pytest.fixture
def api_key(dealer: Dealer) -> str:
    _, raw = ApiKey.issue(dealer, "test DMS")
    return raw


@pytest.fixture
def other_api_key(other_dealer: Dealer) -> str:
    _, raw = ApiKey.issue(other_dealer, "test DMS")
    return raw


def make_customer(dealer: Dealer, number: int = 1, **overrides: Any) -> Customer:
    """A customer with a valid mobile and e-mail and a workshop order last month."""
    fields: dict[str, Any] = {
        "external_id": f"EXT-{number}",
        "customer_number": str(1000 + number),
        "name": f"Kari Nordmann {number}",
        "mobile": f"+47 9{number:07d}"[:12] if number < 10**7 else "+4791234567",
        "email": f"kari{number}@example.no",
        "street": "Fjordveien 2",
        "postal_code": "9010",
        "city": "Tromsø",
    }
    fields.update(overrides)
    customer, _ = upsert_customer(dealer=dealer, data=CustomerData(**fields))
    record_contact(
        customer=customer,
        kind="workshop_order",
        reference=f"WO-{number}",
        occurred_at=timezone.now() - dt.timedelta(days=30),
    )
    customer.refresh_from_db()
    return customer


@pytest.fixture
def customer(dealer: Dealer) -> Customer:
    return make_customer(dealer, 1)


@pytest.fixture
def other_customer(other_dealer: Dealer) -> Customer:
    return make_customer(other_dealer, 1)


def executed(captured: Any) -> list[str]:
    """The statements a CaptureQueriesContext saw, each EXECUTE read as the statement it runs
    (samtykke.sql.described); a PREPARE (once per connection) is not counted."""
    from samtykke.sql import described

    return [
        described(q["sql"]) for q in captured.captured_queries if not q["sql"].startswith("PREPARE")
    ]
