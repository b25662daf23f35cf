"""Opening a personal link: nothing decided, "opened" noted, a clean URL, the right customer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from samtykke.consent.actions import reset_new_customers
from samtykke.consent.links import IssuedLink, issue_personal_link
from samtykke.consent.models import PersonalLink
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.portal.conftest import event_count, statuses

pytestmark = pytest.mark.django_db


def test_get_changes_no_consent_notes_opened_once_and_redirects(
    client: Client, dealer: Dealer, customer: Customer, issued: IssuedLink
) -> None:
    reset_new_customers(dealer=dealer, customers=[customer])
    before = (event_count(dealer), statuses(dealer, customer))
    response = client.get(f"/s/{issued.token}")
    assert response.status_code == 303
    assert response["Location"] == "/samtykke/"
    assert issued.token not in response["Location"]
    first = PersonalLink.objects.for_dealer(dealer).get(pk=issued.link.pk).first_opened_at
    assert first is not None
    client.get(f"/s/{issued.token}")
    page = client.get("/samtykke/")
    assert page.status_code == 200
    again = PersonalLink.objects.for_dealer(dealer).get(pk=issued.link.pk).first_opened_at
    assert again == first  # set once
    assert (event_count(dealer), statuses(dealer, customer)) == before


def test_page_shows_dealer_first_name_masked_contact_and_notice(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    html = portal.get("/samtykke/").content.decode()
    assert "Bilhuset Nord AS" in html
    assert "923609016" in html
    assert "post@bilhuset-nord.no" in html and "+47 77 00 00 00" in html
    assert "Hei, Kari" in html
    assert "Nordmann" not in html  # first name only
    assert customer.mobile not in html and customer.email not in html
    assert "+47 ••• •• 001" in html and "k•••@example.no" in html
    assert "Samtykke til markedsføring på SMS og e-post" in html
    assert "bilhuset-nord/consent/nb/v1" in html
    assert "Lagre" in html and "Nei takk" in html


def test_every_box_starts_unticked_one_per_purpose_and_channel(portal: Client) -> None:
    html = portal.get("/samtykke/").content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert len(boxes) == 2
    assert {re.search(r'name="([^"]+)"', b).group(1) for b in boxes} == {  # type: ignore[union-attr]
        "c-marketing-sms",
        "c-marketing-email",
    }
    assert not any("checked" in b for b in boxes)


def test_a_token_shows_only_its_own_dealers_customer(
    dealer: Dealer, other_dealer: Dealer, customer: Customer, other_customer: Customer
) -> None:
    other_customer.name = "Ola Fjordmann"
    other_customer.save(update_fields=["name"])
    mine = issue_personal_link(customer=customer, origin="campaign")
    theirs = issue_personal_link(customer=other_customer, origin="paper_form")
    a, b = Client(), Client()
    a.get(f"/s/{mine.token}")
    b.get(f"/s/{theirs.token}")
    html_a = a.get("/samtykke/").content.decode()
    html_b = b.get("/samtykke/").content.decode()
    assert "Bilhuset Nord AS" in html_a and "Fjord Auto" not in html_a and "Kari" in html_a
    assert "Fjord Auto AS" in html_b and "Bilhuset" not in html_b and "Ola" in html_b
    assert "fjord-auto/consent/nb/v1" in html_b


def test_opening_a_second_link_replaces_the_first(
    client: Client, dealer: Dealer, other_customer: Customer, issued: IssuedLink
) -> None:
    theirs = issue_personal_link(customer=other_customer, origin="api")
    client.get(f"/s/{issued.token}")
    client.get(f"/s/{theirs.token}")
    html = client.get("/samtykke/").content.decode()
    assert "Fjord Auto AS" in html and "Bilhuset" not in html


def _assert_no_personal_data(html: str, customer: Customer) -> None:
    for secret in ("Kari", "Nordmann", "•••", customer.email, customer.mobile, "checkbox"):
        assert secret not in html


def test_unknown_token_gets_a_friendly_page_without_personal_data(
    client: Client, customer: Customer
) -> None:
    response = client.get("/s/not-a-real-token-at-all")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Denne lenken virker ikke" in html
    assert "åpner du den på nytt fra SMS-en" in html
    _assert_no_personal_data(html, customer)
    assert "sessionid" not in response.cookies


def test_expired_token_names_the_dealer_but_no_customer(
    client: Client, dealer: Dealer, customer: Customer
) -> None:
    issued = issue_personal_link(customer=customer, origin="campaign", days=1)
    PersonalLink.objects.for_dealer(dealer).filter(pk=issued.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(f"/s/{issued.token}")
    assert response.status_code == 410
    html = response.content.decode()
    assert "Bilhuset Nord AS" in html and "post@bilhuset-nord.no" in html
    _assert_no_personal_data(html, customer)
    assert client.get("/samtykke/").status_code == 404  # nothing kept in the session


def test_revoked_link_in_the_session_stops_working(
    portal: Client, dealer: Dealer, customer: Customer, issued: IssuedLink
) -> None:
    PersonalLink.objects.for_dealer(dealer).filter(pk=issued.link.pk).update(
        revoked_at=timezone.now()
    )
    response = portal.get("/samtykke/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "Bilhuset Nord AS" in html
    _assert_no_personal_data(html, customer)
    assert portal.get(f"/s/{issued.token}").status_code == 410


def test_no_session_no_page(client: Client) -> None:
    assert client.get("/samtykke/").status_code == 404
    assert client.get("/samtykke/lagret/").status_code == 404


def test_get_on_the_token_url_is_the_only_method(client: Client, issued: IssuedLink) -> None:
    assert client.post(f"/s/{issued.token}").status_code == 405


@override_settings(PORTAL_FAILED_LOOKUPS_PER_WINDOW=3, PORTAL_LOOKUPS_PER_WINDOW=6)
def test_token_lookups_are_rate_limited_per_ip(
    dealer: Dealer, customer: Customer, issued: IssuedLink
) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        assert guesser.get(f"/s/guess-{n}").status_code == 404
    # Even a real token is refused now: the guesser learns nothing more.
    limited = guesser.get(f"/s/{issued.token}")
    assert limited.status_code == 429
    assert limited["Retry-After"]
    assert "Kari" not in limited.content.decode()
    # Another address is not affected; real links count too, but more generously.
    neighbour = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(6):
        assert neighbour.get(f"/s/{issued.token}").status_code == 303
    assert neighbour.get(f"/s/{issued.token}").status_code == 429


def test_a_customer_erased_after_the_link_was_opened_sees_nothing(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    from samtykke.consent.actions import Actor, erase_customer

    erase_customer(dealer=dealer, customer=customer, actor=Actor.system())
    response = portal.get("/samtykke/")
    assert response.status_code == 410
    assert "checkbox" not in response.content.decode()


def test_a_name_with_markup_is_shown_as_text(client: Client, dealer: Dealer) -> None:
    evil = make_customer(dealer, 7, name="<script>alert(1)</script> Nordmann")
    issued = issue_personal_link(customer=evil, origin="staff")
    client.get(f"/s/{issued.token}")
    html = client.get("/samtykke/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
