"""Logging in: our own page, throttled failures, logout by POST, the dealer picker."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from samtykke.backoffice import throttle
from samtykke.backoffice.access import SESSION_DEALER
from samtykke.tenancy.models import Dealer
from samtykke.tenancy.services import add_staff_user

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_anonymous_is_sent_to_login() -> None:
    response = Client().get("/kunder/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/kunder/")


def test_login_and_logout(bob: Any) -> None:
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content
    response = _login(client, "Bob@Bilhuset-Nord.no", "bob-password-1")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/logout/").status_code == 405  # logout is a POST
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_message(bob: Any) -> None:
    response = _login(Client(), "bob@bilhuset-nord.no", "wrong")
    assert response.status_code == 200
    assert "Feil e-postadresse eller passord" in response.content.decode()


def test_five_failures_lock_the_username_even_with_the_right_password(bob: Any) -> None:
    client = Client()
    for n in range(throttle.USER_LIMIT):
        _login(client, "bob@bilhuset-nord.no", f"wrong-{n}", ip=f"10.0.1.{n}")
    response = _login(client, "bob@bilhuset-nord.no", "bob-password-1", ip="10.0.2.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert "For mange mislykkede innlogginger" in text
    assert "15 minutter" in text
    assert "_auth_user_id" not in client.session


def test_many_failures_from_one_address_lock_the_address(bob: Any) -> None:
    client = Client()
    for n in range(throttle.IP_LIMIT):
        _login(client, f"nobody{n}@example.no", "wrong", ip="10.9.9.9")
    assert (
        _login(client, "bob@bilhuset-nord.no", "bob-password-1", ip="10.9.9.9").status_code == 200
    )
    assert (
        _login(client, "bob@bilhuset-nord.no", "bob-password-1", ip="10.9.9.8").status_code == 302
    )


def test_success_clears_the_count(bob: Any) -> None:
    client = Client()
    for n in range(throttle.USER_LIMIT - 1):
        _login(client, "bob@bilhuset-nord.no", f"wrong-{n}")
    assert _login(client, "bob@bilhuset-nord.no", "bob-password-1").status_code == 302
    assert throttle.wait_before_login("bob@bilhuset-nord.no", None) is None


def test_user_with_two_dealers_picks_one(dealer: Dealer, other_dealer: Dealer) -> None:
    add_staff_user(dealer=dealer, email="two@example.no", password="two-password-1")
    add_staff_user(dealer=other_dealer, email="two@example.no")
    client = Client()
    _login(client, "two@example.no", "two-password-1")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/forhandler/"
    picker = client.get("/forhandler/").content.decode()
    assert "Bilhuset Nord AS" in picker and "Fjord Auto AS" in picker
    client.post("/forhandler/", {"dealer": other_dealer.pk})
    assert client.session[SESSION_DEALER] == other_dealer.pk
    assert "Fjord Auto AS" in client.get("/").content.decode()


def test_user_cannot_pick_a_dealer_they_do_not_belong_to(bob: Any, other_dealer: Dealer) -> None:
    client = Client()
    client.force_login(bob)
    assert client.post("/forhandler/", {"dealer": other_dealer.pk}).status_code == 403


def test_vendor_operator_can_enter_any_dealer(dealer: Dealer, other_dealer: Dealer) -> None:
    operator = get_user_model().objects.create_superuser("ops@vendor.no", "ops@vendor.no", "x")
    client = Client()
    client.force_login(operator)
    assert client.get("/")["Location"] == "/forhandler/"
    assert "Fjord" in client.get("/forhandler/?q=fjord").content.decode()
    client.post("/forhandler/", {"dealer": other_dealer.pk})
    assert client.get("/innstillinger/").status_code == 200


def test_language_switch_to_english(bob_client: Client) -> None:
    response = bob_client.post("/sprak/", {"language": "en", "next": "/kunder/"})
    assert response.status_code == 302
    assert "Customers" in bob_client.get("/kunder/").content.decode()
