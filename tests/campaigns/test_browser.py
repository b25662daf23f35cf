"""The whole path in headless Chromium: a campaign made in the wizard, its SMS in the outbox,
the link opened on a 360 px phone, consent given, and seen on the customer card and the
campaign's dashboard. Screenshots go to screenshots/campaigns/."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from samtykke.campaigns.models import Campaign
from samtykke.consent.models import ConsentState
from samtykke.tenancy.models import Dealer
from tests.browser import launch_chromium, need
from tests.conftest import make_customer

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "screenshots" / "campaigns"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    need()
    with launch_chromium() as browser:
        yield browser


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def serious_axe_violations(page: Any) -> list[str]:
    if not AXE.exists():
        if os.environ.get("CI"):
            raise RuntimeError("run `npm install` for axe-core")
        return []
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
    )
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def test_campaign_from_wizard_to_customer_card(
    chromium: Any, live_server: Any, dealer: Dealer, alice: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "outbox"
    settings.PUBLIC_URL = live_server.url
    kari = make_customer(dealer, 1, name="Kari Nordmann", mobile="912 34 567")
    for n in range(2, 6):
        make_customer(dealer, n, name=f"Ola Hansen {n}")
    staff = Client()
    staff.force_login(alice)
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    desk.set_default_timeout(15_000)
    desk.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": staff.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = desk.new_page()
    base = live_server.url

    # The wizard: audience, sample, message with its live counter.
    page.goto(base + "/kampanjer/ny/")
    assert page.locator("#audience-count").inner_text() == "5"
    assert page.get_by_text("Kari Nordmann").count() == 1
    page.get_by_label("Navn på kampanjen").fill("Vårkampanje")
    message = page.get_by_label("SMS-tekst")
    message.fill("Hei {fornavn}! {forhandler} vil sende deg tilbud. Svar her: {lenke} 😀")
    page.wait_for_function("document.getElementById('sms-measure').textContent.includes('UCS')")
    message.fill("Hei {fornavn}! {forhandler} vil sende deg tilbud. Svar ja eller nei: {lenke}")
    page.wait_for_function("document.getElementById('sms-measure').textContent.includes('GSM')")
    assert "kr" in page.locator("#sms-measure").inner_text()
    shot(page, "01-wizard")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Klargjør kampanjen").click()
    page.wait_for_url(re.compile(r"/kampanjer/\d+/$"))
    campaign = Campaign.objects.for_dealer(dealer).get()
    assert campaign.recipient_count == 5
    shot(page, "02-draft")
    page.get_by_role("button", name="Start utsending").click()
    page.wait_for_url(re.compile(r"/kampanjer/\d+/$"))
    assert page.locator("#campaign-progress").get_attribute("value") == "100"
    campaign.refresh_from_db()
    assert campaign.status == "done"

    # The SMS-utboks shows Kari's message with her personal link.
    page.goto(base + "/sms-utboks/")
    shot(page, "03-outbox")
    body = page.get_by_text("Hei Kari!").first.inner_text()
    assert "Bilhuset Nord AS" in body
    link = re.search(r"https?://\S+/s/[A-Za-z0-9_-]+", body)
    assert link, body

    # Kari opens it on her phone and says yes to SMS.
    phone = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nb-NO",
    )
    mobile = phone.new_page()
    mobile.goto(link.group(0))
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    shot(mobile, "04-phone-link")
    mobile.locator("input[type=checkbox]").first.check()
    mobile.get_by_role("button", name="Lagre").click()
    mobile.wait_for_load_state()
    shot(mobile, "05-phone-saved")
    phone.close()
    state = ConsentState.objects.for_dealer(dealer).get(customer=kari, channel__key="sms")
    assert state.status == "given" and state.source == "portal"

    # The customer card and the campaign's dashboard show it.
    page.goto(base + f"/kunder/{kari.pk}/")
    shot(page, "06-customer-card")
    assert page.get_by_text("Gitt").count() + page.get_by_text("Given").count() >= 1
    page.goto(base + f"/kampanjer/{campaign.pk}/")
    figures = page.locator(".numbers .figure").all_inner_texts()
    assert figures == ["5", "0", "0", "1", "1"], (
        figures
    )  # sent, delivered, failed, opened, answered
    shot(page, "07-dashboard")
    assert serious_axe_violations(page) == []
    desk.close()
