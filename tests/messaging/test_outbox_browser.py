"""The SMS-utboks page in headless Chromium: looks right, no axe-core violations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from samtykke.messaging.sms.base import SmsMessage
from samtykke.messaging.sms.outbox import OutboxBackend
from samtykke.tenancy.models import Dealer
from tests.browser import launch_chromium, need

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    need()
    with launch_chromium() as chromium:
        yield chromium


def test_outbox_page(
    browser: Any, live_server: Any, dealer: Dealer, other_dealer: Dealer, bob: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "outbox"
    backend = OutboxBackend()
    for i, body in enumerate(
        [
            "Hei Kari! Bilhuset Nord ber om samtykke til tilbud på SMS og e-post: "
            "http://testserver/s/Q2xpY2sgbWUgaWYgeW91IGNhbg",
            "Hei <b>Ola</b>! Svar her 😀: http://testserver/s/abc",
        ]
    ):
        backend.send(SmsMessage(f"+479000000{i}", body, "BilhusNord", f"r{i}", 12, dealer.pk))
    backend.send(
        SmsMessage("+4798888888", "Fjord Auto secret", "FjordAuto", "x", 1, other_dealer.pk)
    )
    client = Client()
    client.force_login(bob)
    session = client.cookies["sessionid"].value
    SHOTS.mkdir(exist_ok=True)
    for width, name in ((1280, "desktop"), (360, "phone")):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="nb-NO")
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/sms-utboks/")
        assert page.locator("h1").inner_text() == "SMS-utboks"
        assert "sendes ikke" in page.locator(".outbox-intro").inner_text()
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width, f"{width_used}px wide at {width}px: scrolls sideways"
        rows = page.locator("table.outbox tbody tr")
        assert rows.count() == 2
        assert "Fjord Auto secret" not in page.content()
        assert page.locator("b").count() == 0  # the <b> in a text is shown as text
        assert page.get_by_text("Hei <b>Ola</b>!", exact=False).count() == 1
        page.screenshot(path=str(SHOTS / f"messaging-outbox-{name}.png"), full_page=True)
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run()")
            assert [v["id"] for v in result["violations"]] == []
        elif os.environ.get("CI"):
            pytest.fail("node_modules/axe-core is missing: run npm install")
        context.close()


@pytest.mark.skipif(
    django_settings.SECURE_REFERRER_POLICY == "no-referrer",
    reason="with Referrer-Policy no-referrer Chromium posts 'Origin: null' and Django's CSRF "
    "check refuses every form; the back office sets same-origin (branch backoffice)",
)
def test_report_as_delivered_button(
    browser: Any, live_server: Any, dealer: Dealer, bob: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "outbox"
    backend = OutboxBackend()
    for i in range(2):
        backend.send(SmsMessage(f"+479000000{i}", f"Hei {i}", "BilhusNord", f"r{i}", 1, dealer.pk))
    client = Client()
    client.force_login(bob)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/sms-utboks/")
    page.get_by_role("button", name="Meld som levert").click()
    page.wait_for_url(f"{live_server.url}/sms-utboks/")
    assert "2 SMS-er meldt som levert." in page.locator(".messages").inner_text()
    assert page.locator(".outbox-delivered").count() == 2
    assert page.get_by_role("button", name="Meld som levert").count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "messaging-outbox-delivered.png"), full_page=True)
    context.close()
