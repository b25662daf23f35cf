"""Dealer settings: administrators only; purposes, notices, staff users, API keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from samtykke.consent.models import NoticeVersion, Purpose
from samtykke.tenancy.models import ApiKey, Dealer, Membership

pytestmark = pytest.mark.django_db


SETTINGS_PAGES = [
    "/innstillinger/",
    "/innstillinger/formal/",
    "/innstillinger/tekster/",
    "/innstillinger/brukere/",
    "/innstillinger/api-nokler/",
]


@pytest.mark.parametrize("url", SETTINGS_PAGES)
def test_staff_cannot_open_settings(bob_client: Client, url: str) -> None:
    assert bob_client.get(url).status_code == 403


@pytest.mark.parametrize("url", SETTINGS_PAGES)
def test_admin_opens_settings(alice_client: Client, url: str) -> None:
    assert alice_client.get(url).status_code == 200


def test_settings_nav_only_for_admins(alice_client: Client, bob_client: Client) -> None:
    assert 'href="/innstillinger/"' in alice_client.get("/").content.decode()
    assert 'href="/innstillinger/"' not in bob_client.get("/").content.decode()


def _general(**changes: Any) -> dict[str, Any]:
    data = {
        "consent_option": "manual",
        "contact_window_years": "3",
        "sms_sender": "NordBil",
        "default_language": "nb",
        "quiet_hours": "on",
        "weekdays_from": "09:00",
        "weekdays_to": "20:00",
        "saturday_from": "10:00",
        "saturday_to": "16:00",
        "sunday_from": "",
        "sunday_to": "",
    }
    data.update(changes)
    return data


def test_general_settings_and_quiet_hours(alice_client: Client, dealer: Dealer) -> None:
    response = alice_client.post("/innstillinger/", _general())
    assert response.status_code == 302
    dealer.refresh_from_db()
    assert dealer.consent_option == "manual" and dealer.contact_window_years == 3
    assert dealer.sms_sender == "NordBil"
    assert dealer.sending_hours == {
        "weekdays": ["09:00", "20:00"],
        "saturday": ["10:00", "16:00"],
        "sunday": None,
    }
    alice_client.post("/innstillinger/", _general(quiet_hours=""))
    dealer.refresh_from_db()
    assert dealer.sending_hours is None


@pytest.mark.parametrize(
    "changes",
    [
        {"weekdays_from": "20:00", "weekdays_to": "09:00"},
        {"saturday_to": ""},
        {"sms_sender": "Far too long sender"},
        {"contact_window_years": "0"},
    ],
)
def test_bad_general_settings_are_refused(
    alice_client: Client, dealer: Dealer, changes: dict[str, str]
) -> None:
    response = alice_client.post("/innstillinger/", _general(**changes))
    assert response.status_code == 200 and response.context["form"].errors
    dealer.refresh_from_db()
    assert dealer.sms_sender == "BilhusNord"


def test_add_rename_and_deactivate_a_purpose(alice_client: Client, dealer: Dealer) -> None:
    response = alice_client.post(
        "/innstillinger/formal/",
        {
            "key": "service",
            "name_nb": "Service",
            "name_nn": "Service",
            "name_en": "Service",
            "channels": ["1"],
            "active": "on",
            "order": "1",
        },
    )
    assert response.status_code == 302
    purpose = Purpose.objects.for_dealer(dealer).get(key="service")
    response = alice_client.post(
        f"/innstillinger/formal/{purpose.pk}/",
        {
            "key": "changed",
            "name_nb": "Verksted",
            "name_nn": "Verkstad",
            "name_en": "Workshop",
            "channels": [c.pk for c in purpose.channels.all()],
            "order": "1",
        },
    )
    assert response.status_code == 302
    purpose.refresh_from_db()
    assert (purpose.key, purpose.name_nb, purpose.active) == ("service", "Verksted", False)
    duplicate = alice_client.post(
        "/innstillinger/formal/",
        {"key": "marketing", "name_nb": "x", "name_nn": "x", "name_en": "x", "channels": ["1"]},
    )
    assert duplicate.status_code == 200 and "key" in duplicate.context["form"].errors


def test_publishing_a_notice_makes_a_new_version(
    alice_client: Client, alice: Any, dealer: Dealer
) -> None:
    response = alice_client.post(
        "/innstillinger/tekster/", {"language": "en", "title": "New title", "text": "New text"}
    )
    assert response.status_code == 302
    versions = NoticeVersion.objects.for_dealer(dealer).filter(language="en").order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].published_by == alice and versions[0].title != "New title"
    page = alice_client.get("/innstillinger/tekster/?language=en").content.decode()
    assert "bilhuset-nord/consent/en/v2" in page and "bilhuset-nord/consent/en/v1" in page


def test_manage_staff_users(alice_client: Client, alice: Any, bob: Any, dealer: Dealer) -> None:
    response = alice_client.post(
        "/innstillinger/brukere/", {"email": "Dora@Bilhuset-Nord.no", "role": "staff"}
    )
    assert response.status_code == 200
    assert response.context["password"]  # shown once
    dora = Membership.objects.for_dealer(dealer).get(user__username="dora@bilhuset-nord.no")
    response = alice_client.post(
        f"/innstillinger/brukere/{dora.pk}/rolle/", {f"m{dora.pk}-role": "admin"}
    )
    dora.refresh_from_db()
    assert dora.role == "admin"
    alice_client.post(f"/innstillinger/brukere/{dora.pk}/fjern/")
    assert not Membership.objects.for_dealer(dealer).filter(pk=dora.pk).exists()


def test_last_admin_and_self_cannot_be_removed(
    alice_client: Client, alice: Any, dealer: Dealer
) -> None:
    own = Membership.objects.for_dealer(dealer).get(user=alice)
    alice_client.post(f"/innstillinger/brukere/{own.pk}/fjern/")
    alice_client.post(f"/innstillinger/brukere/{own.pk}/rolle/", {f"m{own.pk}-role": "staff"})
    own.refresh_from_db()
    assert own.role == "admin"


def test_api_keys_are_shown_once_and_revoked(alice_client: Client, dealer: Dealer) -> None:
    response = alice_client.post("/innstillinger/api-nokler/", {"name": "Cars DMS"})
    raw = response.context["raw_key"]
    assert raw and raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    key = ApiKey.objects.for_dealer(dealer).get(name="Cars DMS")
    assert ApiKey.authenticate(raw) == key
    assert raw not in alice_client.get("/innstillinger/api-nokler/").content.decode()
    alice_client.post(f"/innstillinger/api-nokler/{key.pk}/trekk-tilbake/")
    assert ApiKey.authenticate(raw) is None
