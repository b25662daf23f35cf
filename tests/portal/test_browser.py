"""The customer's pages in headless Chromium on a 360 px phone, checked by axe-core.

Every portal page (unknown and expired link, the choices, an error, the receipt, the e-mail
confirmation before and after, the rate-limit page) in Bokmål, Nynorsk and English; the page's
language comes from the browser's Accept-Language. Screenshots go to screenshots/portal/.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from samtykke.consent.links import issue_personal_link
from samtykke.consent.models import PersonalLink
from samtykke.tenancy.models import Dealer
from tests.browser import launch_chromium, need
from tests.conftest import make_customer
from tests.portal.conftest import statuses

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "screenshots" / "portal"
LOCALES = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    need(AXE)
    with launch_chromium() as browser:
        yield browser


class Phone:
    """One browser context: a 360 px phone speaking ``language``; records CSP violations."""

    def __init__(self, chromium: Any, base: str, language: str) -> None:
        self.base = base
        self.language = language
        self.context = chromium.new_context(
            viewport={"width": 360, "height": 740},
            device_scale_factor=2,
            locale=LOCALES[language],
            is_mobile=True,
            has_touch=True,
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self._response)
        self.external: list[str] = []
        self.page.on(
            "request",
            lambda r: None if r.url.startswith(base) else self.external.append(r.url),
        )

    def _console(self, message: Any) -> None:
        # A page answered 404/410/429 on purpose logs "Failed to load resource"; the
        # responses themselves are checked in _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def check(self, name: str) -> None:
        """axe-core finds nothing; the page fits 360 px; targets are large; screenshot."""
        page = self.page
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {
                  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                    'best-practice']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact,
                  nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
            }"""
        )
        assert result == [], f"{name}: {json.dumps(result, indent=1, ensure_ascii=False)}"
        assert page.evaluate("document.documentElement.lang") == self.language
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: {width} px wide"
        small = page.evaluate(
            """() => [...document.querySelectorAll('button, .choice label, input[type=email]')]
                .filter(e => e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == [], f"{name}: small targets {small}"
        assert not self.problems, f"{name}: {self.problems}"
        assert not self.external, f"{name}: external requests {self.external}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{self.language}-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def _dealer_links(dealer: Dealer) -> tuple[str, str]:
    customer = make_customer(dealer, 4, name="Nordmann, Kari")
    live = issue_personal_link(customer=customer, origin="campaign").token
    old = issue_personal_link(customer=customer, origin="campaign")
    PersonalLink.objects.for_dealer(dealer).filter(pk=old.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    return live, old.token


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_portal_page_on_a_phone(
    chromium: Any, live_server: Any, dealer: Dealer, language: str
) -> None:
    token, expired = _dealer_links(dealer)
    customer = PersonalLink.objects.for_dealer(dealer).select_related("customer").first()
    assert customer is not None
    phone = Phone(chromium, live_server.url, language)
    page = phone.page
    try:
        response = phone.go("/s/this-is-not-a-token")
        assert response.status == 404
        phone.check("unknown-link")

        assert phone.go(f"/s/{expired}").status == 410
        assert dealer.name in page.inner_text("body")
        phone.check("expired-link")

        phone.go(f"/s/{token}")
        assert page.url == live_server.url + "/samtykke/"  # the token is gone from the address
        body = page.inner_text("body")
        assert dealer.name in body and "Kari" in body and "Nordmann" not in body
        assert page.locator("input[type=checkbox]:checked").count() == 0
        phone.check("choices")

        # "Lagre" and "Nei takk" look the same: size, weight, colours.
        styles = page.evaluate(
            """() => [...document.querySelectorAll('.actions button')].map(b => {
                const s = getComputedStyle(b), r = b.getBoundingClientRect();
                return [Math.round(r.width), Math.round(r.height), s.fontSize, s.fontWeight,
                        s.backgroundColor, s.color, s.borderWidth];
            })"""
        )
        assert len(styles) == 2 and styles[0] == styles[1], styles
        # Keyboard focus is visible.
        page.focus(".actions button[value=refuse]")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")

        page.check("#id_c-marketing-sms")
        page.check("#id_c-marketing-email")
        page.fill("#id_email", "not an address")
        page.click(".actions button[value=save]")
        assert page.locator("[role=alert]").count() == 1
        phone.check("choices-error")

        mail.outbox.clear()
        page.fill("#id_email", f"kari.{language}@example.org")
        page.click(".actions button[value=save]")
        assert page.url == live_server.url + "/samtykke/lagret/"
        phone.check("saved")
        assert statuses(dealer, customer.customer) == {
            "marketing/sms": "given",
            "marketing/email": "pending",
        }

        phone.go("/samtykke/")
        assert page.locator("input[type=checkbox]:checked").count() == 2
        phone.check("choices-again")

        assert len(mail.outbox) == 1
        link = re.search(r"https?://\S+/e/\S+", mail.outbox[0].body)
        assert link is not None
        page.goto(live_server.url + "/e/" + link.group(0).split("/e/", 1)[1])
        assert page.url == live_server.url + "/samtykke/e-post/"
        phone.check("email-confirm")
        assert statuses(dealer, customer.customer)["marketing/email"] == "pending"
        page.click("button[value=confirm]")
        phone.check("email-confirmed")
        assert statuses(dealer, customer.customer)["marketing/email"] == "given"

        phone.go("/samtykke/")
        page.click(".actions button[value=refuse]")
        phone.check("saved-no-thanks")
        assert statuses(dealer, customer.customer) == {
            "marketing/sms": "withdrawn",
            "marketing/email": "withdrawn",
        }

        with override_settings(PORTAL_LOOKUPS_PER_WINDOW=0):
            assert phone.go(f"/s/{token}").status == 429
            phone.check("rate-limited")
    finally:
        phone.close()


def test_the_language_switcher_keeps_the_session(
    chromium: Any, live_server: Any, dealer: Dealer
) -> None:
    token, _ = _dealer_links(dealer)
    phone = Phone(chromium, live_server.url, "nb")
    page = phone.page
    try:
        phone.go(f"/s/{token}")
        page.click("button[value=en]")
        assert page.url == live_server.url + "/samtykke/"
        assert page.evaluate("document.documentElement.lang") == "en"
        assert "No thanks" in page.inner_text("body")
        assert "consent/en/v1" in page.inner_text("body")
        page.click("button[value=nn]")
        assert "Samtykke til marknadsføring" in page.inner_text("body")
        cookies = {c["name"] for c in phone.context.cookies()}
        assert cookies == {"sessionid", "csrftoken"}
    finally:
        phone.close()
