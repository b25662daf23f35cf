"""Every portal response: strict CSP, no Referer, no cache, no cookies but session and CSRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from samtykke.consent.links import IssuedLink
from tests.portal.conftest import submit

pytestmark = pytest.mark.django_db

CSP_PARTS = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
]


def _check(response: Any) -> None:
    csp = response["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "script-src" not in csp and "unsafe" not in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_headers_and_cookies_on_every_portal_page(
    client: Client,
    issued: IssuedLink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    seen = []
    seen.append(client.get("/s/unknown-token"))
    seen.append(client.get(f"/s/{issued.token}"))
    seen.append(client.get("/samtykke/"))
    with django_capture_on_commit_callbacks(execute=True):
        seen.append(submit(client, "c-marketing-email", email="ny@example.org"))
    seen.append(client.get("/samtykke/lagret/"))
    seen.append(client.post("/samtykke/sprak/", {"language": "en", "next": "/samtykke/lagret/"}))
    from django.core import mail

    path = mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]
    seen.append(client.get(path))
    seen.append(client.get("/samtykke/e-post/"))
    seen.append(client.post("/samtykke/e-post/", {"action": "confirm"}))
    seen.append(client.get("/samtykke/e-post/"))
    for response in seen:
        _check(response)
    assert {name for response in seen for name in response.cookies} <= {"sessionid", "csrftoken"}
    assert set(client.cookies) == {"sessionid", "csrftoken"}
    assert client.cookies["sessionid"]["httponly"]
    assert client.cookies["sessionid"]["samesite"] == "Lax"


def test_no_scripts_and_no_external_resources(portal: Client) -> None:
    html = portal.get("/samtykke/").content.decode()
    assert "<script" not in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    assert 'href="/static/portal/portal.css"' in html


def test_language_from_accept_language_and_the_switcher(client: Client, issued: IssuedLink) -> None:
    client.get(f"/s/{issued.token}")
    english = client.get("/samtykke/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = english.content.decode()
    assert english["Content-Language"] == "en"
    assert 'lang="en"' in html and "Consent to marketing by SMS and e-mail" in html
    assert "bilhuset-nord/consent/en/v1" in html and "No thanks" in html
    nynorsk = client.get("/samtykke/", HTTP_ACCEPT_LANGUAGE="nn")
    assert "Samtykke til marknadsføring" in nynorsk.content.decode()
    switched = client.post("/samtykke/sprak/", {"language": "nn", "next": "/samtykke/"})
    assert switched.status_code == 303 and switched["Location"] == "/samtykke/"
    # The choice in the session wins over the browser's language.
    kept = client.get("/samtykke/", HTTP_ACCEPT_LANGUAGE="en")
    assert kept["Content-Language"] == "nn" and "Lagre" in kept.content.decode()
    assert "django_language" not in client.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/admin/", ""])
def test_the_switcher_only_goes_back_to_portal_pages(client: Client, target: str) -> None:
    response = client.post("/samtykke/sprak/", {"language": "xx", "next": target})
    assert response.status_code == 303 and response["Location"] == "/samtykke/"


def _strict_portal(issued: IssuedLink) -> tuple[Client, dict[str, str]]:
    strict = Client(enforce_csrf_checks=True)
    strict.get(f"/s/{issued.token}")
    html = strict.get("/samtykke/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    notice = html.split('name="notice" value="', 1)[1].split('"', 1)[0]
    return strict, {"csrfmiddlewaretoken": token, "notice": notice, "action": "refuse"}


@pytest.mark.parametrize(
    ("headers", "secure", "expected"),
    [
        # What Chromium sends under Referrer-Policy: no-referrer.
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}, False, 303),
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}, True, 303),
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, True, 303),  # HTTPS, no Referer
        ({"HTTP_ORIGIN": "http://testserver"}, False, 303),
        ({"HTTP_ORIGIN": "null"}, False, 403),  # a sandboxed frame, say
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"}, False, 403),
        ({"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"}, False, 403),
        ({}, True, 403),  # HTTPS without Origin, Referer or Sec-Fetch-Site
    ],
)
def test_csrf_works_without_a_referer_and_still_refuses_other_sites(
    issued: IssuedLink, headers: dict[str, str], secure: bool, expected: int
) -> None:
    strict, data = _strict_portal(issued)
    response = strict.post("/samtykke/", data, secure=secure, **headers)  # type: ignore[arg-type]
    assert response.status_code == expected


def test_csrf_token_is_still_required(issued: IssuedLink) -> None:
    strict, data = _strict_portal(issued)
    data["csrfmiddlewaretoken"] = "x" * 64
    response = strict.post(
        "/samtykke/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 403


def test_client_ip_behind_trusted_proxies() -> None:
    from django.test import RequestFactory, override_settings

    from samtykke.portal.http import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    assert client_ip(request) == "10.0.0.2"
    with override_settings(TRUSTED_PROXIES=1):
        assert client_ip(request) == "198.51.100.4"  # what our own proxy saw, not the spoof
    with override_settings(TRUSTED_PROXIES=3):
        assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: not trusted


def test_only_the_dealers_languages_are_offered(
    client: Client, dealer: Any, issued: IssuedLink
) -> None:
    dealer.languages = ["nn", "nb"]
    dealer.default_language = "nn"
    dealer.save(update_fields=["languages", "default_language"])
    client.get(f"/s/{issued.token}")
    page = client.get("/samtykke/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = page.content.decode()
    assert page["Content-Language"] == "nn"  # English not offered: the dealer's default
    assert "Samtykke til marknadsføring" in html and 'value="en"' not in html
    assert (
        client.get("/samtykke/", HTTP_ACCEPT_LANGUAGE="nb,en").headers["Content-Language"] == "nb"
    )
    client.post("/samtykke/sprak/", {"language": "en", "next": "/samtykke/"})
    assert client.get("/samtykke/").headers["Content-Language"] == "nn"


def test_a_dealer_with_one_language_shows_no_switcher(
    client: Client, dealer: Any, issued: IssuedLink
) -> None:
    dealer.languages = ["nb"]
    dealer.save(update_fields=["languages"])
    client.get(f"/s/{issued.token}")
    html = client.get("/samtykke/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="nb"' in html and "/samtykke/sprak/" not in html
