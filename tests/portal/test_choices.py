"""Saving on the customer's page: given, refused, changed, withdrawn, with the notice shown."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from samtykke.consent.actions import Actor, Decision, record_consent, reset_new_customers
from samtykke.consent.links import IssuedLink
from samtykke.consent.models import ConsentEvent
from samtykke.consent.notices import publish_notice_version
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.portal.conftest import event_count, notice_reference, statuses, submit

pytestmark = pytest.mark.django_db


def _checked(html: str) -> set[str]:
    return {
        re.search(r'name="([^"]+)"', box).group(1)  # type: ignore[union-attr]
        for box in re.findall(r'<input type="checkbox"[^>]*>', html)
        if " checked" in box
    }


def test_save_records_given_and_refused_with_proof_then_shows_the_receipt(
    portal: Client, dealer: Dealer, customer: Customer, issued: IssuedLink
) -> None:
    reset_new_customers(dealer=dealer, customers=[customer])
    response = submit(portal, "c-marketing-sms", HTTP_USER_AGENT="Phone/1.0")
    assert response.status_code == 303 and response["Location"] == "/samtykke/lagret/"
    assert statuses(dealer, customer) == {"marketing/sms": "given", "marketing/email": "refused"}
    events = list(
        ConsentEvent.objects.for_dealer(dealer)
        .filter(customer=customer, source="portal")
        .select_related("notice_version__notice", "notice_version__dealer")
    )
    assert len(events) == 2
    for event in events:
        assert event.actor_kind == "customer"
        assert event.notice_version.reference == "bilhuset-nord/consent/nb/v1"
        assert not event.notice_assumed
        assert event.evidence["ip"] == "127.0.0.1"
        assert event.evidence["personal_link"] == issued.link.pk
        assert event.evidence["link_origin"] == "campaign"
        assert "user_agent" in event.evidence
    receipt = portal.get("/samtykke/lagret/").content.decode()
    assert "Valgene dine er lagret" in receipt
    assert re.search(r"SMS</span>\s*<span class=\"answer\">Ja", receipt)
    assert re.search(r"E-post</span>\s*<span class=\"answer\">Nei", receipt)
    assert "svar STOPP" in receipt
    # The same link shows the current choices: ticked only where the customer said yes.
    assert _checked(portal.get("/samtykke/").content.decode()) == {"c-marketing-sms"}


def test_no_thanks_refuses_everything_even_if_boxes_were_ticked(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    response = submit(portal, "c-marketing-sms", "c-marketing-email", action="refuse")
    assert response.status_code == 303
    assert statuses(dealer, customer) == {"marketing/sms": "refused", "marketing/email": "refused"}
    assert "sender deg ikke markedsføring" in portal.get("/samtykke/lagret/").content.decode()


def test_change_and_withdraw_on_the_same_link(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    submit(portal, "c-marketing-sms", "c-marketing-email")
    assert statuses(dealer, customer) == {"marketing/sms": "given", "marketing/email": "given"}
    assert _checked(portal.get("/samtykke/").content.decode()) == {
        "c-marketing-sms",
        "c-marketing-email",
    }
    submit(portal, "c-marketing-email")
    assert statuses(dealer, customer) == {"marketing/sms": "withdrawn", "marketing/email": "given"}
    submit(portal, action="refuse")
    assert statuses(dealer, customer) == {
        "marketing/sms": "withdrawn",
        "marketing/email": "withdrawn",
    }
    submit(portal, "c-marketing-sms")
    assert statuses(dealer, customer)["marketing/sms"] == "given"


def test_a_box_is_ticked_only_for_the_customers_own_earlier_yes(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[
            Decision("marketing", "sms", "refused"),
            Decision("marketing", "email", "given"),
        ],
        source="staff",
        actor=Actor.system(),
    )
    assert _checked(portal.get("/samtykke/").content.decode()) == {"c-marketing-email"}


def test_double_submit_records_once(portal: Client, dealer: Dealer, customer: Customer) -> None:
    page = portal.get("/samtykke/").content.decode()
    data = {"notice": notice_reference(page), "action": "save", "c-marketing-sms": "yes"}
    first = portal.post("/samtykke/", data)
    before = event_count(dealer)
    second = portal.post("/samtykke/", data)
    assert first.status_code == second.status_code == 303
    assert event_count(dealer) == before == 2
    assert statuses(dealer, customer) == {"marketing/sms": "given", "marketing/email": "refused"}


def test_a_yes_under_a_newer_notice_is_recorded_again(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    submit(portal, "c-marketing-sms")
    publish_notice_version(dealer=dealer, language="nb", title="Ny tekst", text="Oppdatert.")
    before = event_count(dealer)
    submit(portal, "c-marketing-sms")
    newest = ConsentEvent.objects.for_dealer(dealer).order_by("-sequence").first()
    assert event_count(dealer) == before + 1
    assert newest is not None and newest.notice_version is not None
    assert newest.notice_version.version == 2 and newest.status == "given"


def test_the_notice_version_is_checked_against_dealer_and_language(
    portal: Client, dealer: Dealer, other_dealer: Dealer, customer: Customer
) -> None:
    for bad in ("fjord-auto/consent/nb/v1", "bilhuset-nord/consent/en/v1", "999999", "", "x" * 300):
        response = portal.post(
            "/samtykke/", {"notice": bad, "action": "save", "c-marketing-sms": "yes"}
        )
        assert response.status_code == 409, bad
        html = response.content.decode()
        assert "Siden ble endret" in html
        assert _checked(html) == {"c-marketing-sms"}  # what the customer ticked is kept
    assert statuses(dealer, customer) == {}


def test_a_bad_email_address_is_shown_back_and_nothing_is_saved(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    response = submit(portal, "c-marketing-sms", "c-marketing-email", email="not an address")
    assert response.status_code == 400
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "E-postadressen ser ikke riktig ut" in html
    assert 'value="not an address"' in html and 'aria-invalid="true"' in html
    assert _checked(html) == {"c-marketing-sms", "c-marketing-email"}
    assert statuses(dealer, customer) == {}


def test_email_consent_needs_an_address(client: Client, dealer: Dealer) -> None:
    from samtykke.consent.links import issue_personal_link
    from tests.conftest import make_customer

    no_email = make_customer(dealer, 5, email="")
    client.get(f"/s/{issue_personal_link(customer=no_email, origin='paper_form').token}")
    response = submit(client, "c-marketing-email")
    assert response.status_code == 400
    assert "Vi har ingen e-postadresse" in response.content.decode()  # type: ignore[attr-defined]
    assert statuses(dealer, no_email) == {}


def test_unknown_fields_and_values_are_ignored(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    page = portal.get("/samtykke/").content.decode()
    response = portal.post(
        "/samtykke/",
        {
            "notice": notice_reference(page),
            "c-marketing-sms": "on",  # only "yes" is a yes
            "c-other-fax": "yes",
            "action": "surprise",
        },
    )
    assert response.status_code == 303
    assert statuses(dealer, customer) == {"marketing/sms": "refused", "marketing/email": "refused"}


def test_post_needs_csrf(dealer: Dealer, customer: Customer, issued: IssuedLink) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.get(f"/s/{issued.token}")
    page = strict.get("/samtykke/").content.decode()
    response = strict.post("/samtykke/", {"notice": notice_reference(page), "action": "refuse"})
    assert response.status_code == 403
    assert statuses(dealer, customer) == {}


def test_a_purpose_retired_while_the_page_was_open(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    from samtykke.consent.models import Purpose

    page = portal.get("/samtykke/").content.decode()
    Purpose.objects.for_dealer(dealer).update(active=False)  # no save(): no signal either
    response = portal.post(
        "/samtykke/",
        {"notice": notice_reference(page), "action": "save", "c-marketing-sms": "yes"},
    )
    assert response.status_code == 409  # this process still shows the cached purposes
    assert "Siden ble endret" in response.content.decode()
    assert statuses(dealer, customer) == {}


def test_a_newly_published_notice_shows_at_once(portal: Client, dealer: Dealer) -> None:
    portal.get("/samtykke/")
    publish_notice_version(dealer=dealer, language="nb", title="Ny tekst", text="Oppdatert.")
    html = portal.get("/samtykke/").content.decode()
    assert "bilhuset-nord/consent/nb/v2" in html and "Oppdatert." in html
