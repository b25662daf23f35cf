"""The navigation: other helpers' pages appear when their routes exist; sessions expire."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


def _links(client: Client) -> list[str]:
    return [link["label"] for link in client.get("/").context["links"]]


@override_settings(ROOT_URLCONF="tests.backoffice.urls_with_doors")
def test_campaigns_and_outbox_links_when_their_routes_exist(alice_client: Client) -> None:
    labels = _links(alice_client)
    assert labels == [
        "Oversikt",
        "Kunder",
        "Ordre",
        "Kampanjer",
        "SMS-utboks",
        "Import",
        "Innstillinger",
    ]
    text = alice_client.get("/").content.decode()
    assert 'href="/kampanjer/"' in text and 'href="/sms-utboks/"' in text


def test_no_broken_links_without_those_routes(bob_client: Client) -> None:
    labels = _links(bob_client)
    for name, label in (("campaigns:list", "Kampanjer"), ("messaging:outbox", "SMS-utboks")):
        try:
            reverse(name)
        except NoReverseMatch:
            assert label not in labels
    assert "Innstillinger" not in labels  # bob is not an administrator


def test_current_page_is_marked(bob_client: Client) -> None:
    assert 'href="/kunder/" aria-current="page"' in bob_client.get("/kunder/").content.decode()


def test_sessions_expire(bob_client: Client) -> None:
    bob_client.get("/")
    assert bob_client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
