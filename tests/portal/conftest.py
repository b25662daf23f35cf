"""Portal fixtures: a personal link for ``customer`` and a client that has opened it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from samtykke.consent.links import IssuedLink, issue_personal_link
from samtykke.consent.models import ConsentEvent, ConsentState
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer


@pytest.fixture
def issued(customer: Customer) -> IssuedLink:
    return issue_personal_link(customer=customer, origin="campaign")


@pytest.fixture
def portal(client: Client, issued: IssuedLink) -> Client:
    """A client whose session holds ``issued``'s link (the token was opened)."""
    response = client.get(f"/s/{issued.token}")
    assert response.status_code == 303
    return client


def notice_reference(html: str) -> str:
    found = re.search(r'name="notice" value="([^"]+)"', html)
    assert found, "the page posts the notice version it shows"
    return found.group(1)


def submit(
    client: Client, *ticked: str, action: str = "save", email: str = "", **extra: Any
) -> Any:
    """Post the choices page as a browser would, with the notice version it showed."""
    page = client.get("/samtykke/")
    data = {"notice": notice_reference(page.content.decode()), "action": action, "email": email}
    data.update({name: "yes" for name in ticked})
    return client.post("/samtykke/", data, **extra)


def statuses(dealer: Dealer, customer: Customer) -> dict[str, str]:
    return {
        f"{s.purpose.key}/{s.channel.key}": s.status
        for s in ConsentState.objects.for_dealer(dealer)
        .filter(customer=customer)
        .select_related("purpose", "channel")
    }


def event_count(dealer: Dealer) -> int:
    return ConsentEvent.objects.for_dealer(dealer).count()
