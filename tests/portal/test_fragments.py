"""Parts of the customer's page rendered once per dealer and language ({% dealer_fragment %}):
the right dealer, the right language, the current notice, and a change seen at once.
"""

from __future__ import annotations

import pytest
from django.test import Client

from samtykke.consent.links import IssuedLink, issue_personal_link
from samtykke.consent.notices import publish_notice_version
from samtykke.customers.models import Customer
from samtykke.portal.pagedata import dealer_page
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def test_the_dealers_parts_are_kept_per_language(portal: Client, dealer: Dealer) -> None:
    nb = portal.get("/samtykke/").content.decode()
    assert "Bilhuset Nord AS spør om" in nb and "Lagre" in nb
    assert dealer_page(dealer.pk).fragments  # rendered once, kept with the page data
    portal.post("/samtykke/sprak/", {"language": "en", "next": "/samtykke/"})
    en = portal.get("/samtykke/").content.decode()
    assert "Lagre" not in en and "Save" in en
    assert "Organisation number" in en and "Organisasjonsnummer" not in en
    assert "Bilhuset Nord AS" in en and "post@bilhuset-nord.no" in en
    portal.post("/samtykke/sprak/", {"language": "nb", "next": "/samtykke/"})
    again = portal.get("/samtykke/").content.decode()
    assert "Organisasjonsnummer" in again and "Save" not in again
    assert again.replace(_csrf(again), "") == nb.replace(_csrf(nb), "")  # the same page


def _csrf(html: str) -> str:
    """The page's CSRF tokens (a new mask each time), to compare pages without them."""
    start = html.index('name="csrfmiddlewaretoken" value="') + 34
    return html[start : html.index('"', start)]


def test_each_dealer_gets_its_own_parts(
    portal: Client, client: Client, dealer: Dealer, other_dealer: Dealer
) -> None:
    ours = portal.get("/samtykke/").content.decode()
    other = issue_personal_link(customer=make_customer(other_dealer, 2), origin="staff")
    theirs_client = Client()
    theirs_client.get(f"/s/{other.token}")
    theirs = theirs_client.get("/samtykke/").content.decode()
    assert "Fjord Auto AS" in theirs and "post@fjordauto.no" in theirs
    assert "Bilhuset Nord" not in theirs and "974760673" in theirs
    assert "Fjord Auto" not in ours


def test_a_dealer_saved_here_is_shown_at_once(portal: Client, dealer: Dealer) -> None:
    assert "Bilhuset Nord AS" in portal.get("/samtykke/").content.decode()
    dealer.name = "Bilhuset Nord og Sør AS"
    dealer.contact_email = "kontakt@bilhuset.no"
    dealer.save()
    html = portal.get("/samtykke/").content.decode()
    assert "Bilhuset Nord og Sør AS spør om" in html  # the lead
    assert '<p class="dealer-name">Bilhuset Nord og Sør AS</p>' in html  # the header
    assert "kontakt@bilhuset.no" in html and "post@bilhuset-nord.no" not in html  # the contact


def test_a_new_notice_version_is_shown_at_once(portal: Client, dealer: Dealer) -> None:
    assert "bilhuset-nord/consent/nb/v1" in portal.get("/samtykke/").content.decode()
    publish_notice_version(dealer=dealer, language="nb", title="Ny tekst", text="Oppdatert.")
    html = portal.get("/samtykke/").content.decode()
    assert "Ny tekst" in html and "Oppdatert." in html
    assert "bilhuset-nord/consent/nb/v2" in html and "consent/nb/v1" not in html


def test_nothing_personal_is_kept(
    portal: Client, dealer: Dealer, customer: Customer, issued: IssuedLink
) -> None:
    portal.get("/samtykke/")
    kept = " ".join(dealer_page(dealer.pk).fragments.values())
    assert "Kari" not in kept and customer.email not in kept and "•" not in kept
    assert "csrfmiddlewaretoken" not in kept and issued.token not in kept


def test_without_a_dealer_the_parts_are_simply_rendered(client: Client) -> None:
    html = client.get("/s/no-such-token").content.decode()
    assert '<p class="dealer-name">' in html  # the generic header, no dealer named
