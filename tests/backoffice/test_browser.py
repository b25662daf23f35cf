"""The back office in headless Chromium: login, search, a paper form with a scan, printing from
the card and from an order, an import with a bad row (with its progress bar), accessibility.

Screenshots go to screenshots/backoffice/ (1280 px desktop, 768 px tablet).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from samtykke.consent.models import ConsentEvent, ConsentState
from samtykke.customers.models import Customer
from samtykke.customers.services import record_contact
from samtykke.imports.models import ImportJob
from samtykke.tenancy.models import Dealer
from tests.backoffice.conftest import png_bytes
from tests.browser import CHROMIUM, launch_chromium
from tests.conftest import make_customer

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots" / "backoffice"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs /usr/bin/chromium for the browser tests")
    pytest.skip("needs /usr/bin/chromium", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page: Any, email: str, password: str) -> None:
    page.goto(page.base + "/login/")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(page.base + "/")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        if os.environ.get("CI"):
            raise RuntimeError("run `npm install` for axe-core")
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def shop(dealer: Dealer, alice: Any) -> dict[str, Customer]:
    kari = make_customer(dealer, 1, name="Kari Nordmann", mobile="912 34 567")
    ola = make_customer(dealer, 2, name="Ola Ærlig Åsen")
    make_customer(dealer, 3, name="<script>alert(1)</script>")
    record_contact(
        customer=ola,
        kind="workshop_order",
        reference="AO-77",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )
    return {"kari": kari, "ola": ola}


def test_login_search_and_card(page: Any, shop: dict[str, Customer], alice: Any) -> None:
    page.goto(page.base + "/login/")
    page.get_by_label("E-postadresse").fill("alice@bilhuset-nord.no")
    page.get_by_label("Passord").fill("wrong password")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_text("Feil e-postadresse eller passord").is_visible()
    shot(page, "01-login-error")
    page.get_by_label("Passord").fill("alice-password-1")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_role("heading", name="Oversikt").is_visible()
    shot(page, "02-overview")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Kunder").click()
    page.get_by_label("Søk", exact=True).fill("912 34")
    page.get_by_role("button", name="Søk").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Kari Nordmann" in rows.inner_text()
    page.get_by_label("Søk", exact=True).fill("<script")
    page.get_by_role("button", name="Søk").click()
    assert page.locator("tbody tr").inner_text().startswith("<script>alert(1)</script>")
    shot(page, "03-search")
    assert axe_violations(page) == []
    page.get_by_role("link", name="<script>alert(1)</script>").click()
    assert page.get_by_role("heading", name="<script>alert(1)</script>").is_visible()
    assert axe_violations(page) == []
    shot(page, "04-card-script-name")

    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet
    for path in ["/", "/kunder/?q=k", "/ordre/", "/import/", "/innstillinger/"]:
        page.goto(page.base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 768, path
    shot(page, "04b-settings-tablet")


def test_paper_form_with_scan(
    page: Any, shop: dict[str, Customer], dealer: Dealer, tmp_path: Path
) -> None:
    login(page, "alice@bilhuset-nord.no", "alice-password-1")
    page.goto(page.base + f"/kunder/{shop['kari'].pk}/")
    page.get_by_role("link", name="Registrer signert papirskjema").click()
    sms = page.get_by_label("Tilbud og nyheter – SMS")
    assert not sms.is_checked()
    sms.check()
    page.get_by_label("Dato signert").fill(timezone.localdate().isoformat())
    scan = tmp_path / "skjema.png"
    scan.write_bytes(png_bytes())
    page.get_by_label("Skanning av det signerte skjemaet").set_input_files(str(scan))
    assert axe_violations(page) == []
    shot(page, "05-paper-form")
    page.get_by_role("button", name="Registrer").click()
    assert page.get_by_text("Det signerte skjemaet er registrert.").is_visible()
    states = {
        s.channel.key: s.status
        for s in ConsentState.objects.for_dealer(dealer).filter(customer=shop["kari"])
    }
    assert states == {"sms": "given", "email": "refused"}
    event = ConsentEvent.objects.for_dealer(dealer).get(customer=shop["kari"], channel__key="sms")
    assert event.evidence["scan"]["content_type"] == "image/png"
    assert page.get_by_role("link", name="Skanning av det signerte skjemaet").count() == 2
    shot(page, "06-card-after-paper-form")
    page.set_viewport_size({"width": 768, "height": 1024})
    shot(page, "07-card-tablet")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768


def test_print_from_card_and_from_order(page: Any, shop: dict[str, Customer]) -> None:
    login(page, "alice@bilhuset-nord.no", "alice-password-1")
    pdfs: list[tuple[str, str, str]] = []

    def keep(response: Any) -> None:
        if "/skriv-ut/" in response.url and response.request.method == "POST":
            headers = response.headers
            pdfs.append(
                (
                    response.url,
                    headers.get("content-type", ""),
                    headers.get("content-disposition", ""),
                )
            )

    page.context.on("response", keep)
    page.goto(page.base + f"/kunder/{shop['ola'].pk}/")
    with page.context.expect_page():
        page.get_by_role("button", name="Skriv ut", exact=True).click()
    with page.context.expect_page():
        page.get_by_role("button", name="Skriv ut samtykkeskjema for ordre AO-77").click()
    page.get_by_role("link", name="Ordre").first.click()
    shot(page, "08-orders")
    assert axe_violations(page) == []
    with page.context.expect_page():
        page.get_by_role("button", name="Skriv ut samtykkeskjemaer").click()
    page.wait_for_timeout(500)
    urls = [url.removeprefix(page.base) for url, _type, _body in pdfs]
    assert f"/kunder/{shop['ola'].pk}/skriv-ut/" in urls
    assert any(u.startswith("/ordre/") and u != "/ordre/skriv-ut/" for u in urls)
    assert "/ordre/skriv-ut/" in urls
    for _url, content_type, disposition in pdfs:
        assert content_type == "application/pdf" and disposition.startswith("inline")


BAD_EXPORT = (
    "Kundenr;Navn;Mobil;Fødselsdato;SMS\n"
    "7001;Åse Ærlig;912 34 567;01.02.1970;Ja\n"
    "7002;Øyvind Ø;41234567;31.13.1980;Nei\n"
).encode("cp1252")


def test_import_with_a_bad_row(page: Any, dealer: Dealer, alice: Any, tmp_path: Path) -> None:
    from samtykke.imports.services import execute_import_job, start_import_job

    login(page, "alice@bilhuset-nord.no", "alice-password-1")
    page.get_by_role("link", name="Import").click()
    export = tmp_path / "kunder.csv"
    export.write_bytes(BAD_EXPORT)
    page.get_by_label("Kundefil").set_input_files(str(export))
    page.get_by_role("button", name="Last opp og velg kolonner").click()
    assert page.get_by_label("Kundenummer").input_value() == "Kundenr"
    assert page.get_by_label("Fødselsdato").input_value() == "Fødselsdato"
    shot(page, "09-import-mapping")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Prøvekjøring").click()
    problems = page.locator("section[aria-labelledby=problems-h] tbody tr")
    assert problems.count() == 1
    assert "3" in problems.locator("td").first.inner_text()
    assert "Fødselsdato" in problems.inner_text()
    shot(page, "10-import-dry-run")
    assert not Customer.objects.for_dealer(dealer).exists()

    # The real run as a background job: the page polls its status and shows the progress bar.
    job = ImportJob.objects.for_dealer(dealer).get()
    start_import_job(job=job, mapping=job.mapping, dry_run=False, skip_bad_rows=True, enqueue=False)
    page.reload()
    assert page.locator("progress#import-progress").is_visible()
    shot(page, "11-import-progress")
    assert execute_import_job(job.pk) == "done", ImportJob.all_dealers.get(pk=job.pk).error
    page.locator("#summary-h").wait_for()  # the page polled, saw the job finish and reloaded
    assert "Ferdig" in page.locator("#import-label").inner_text()
    shot(page, "12-import-summary")
    assert list(Customer.objects.for_dealer(dealer).values_list("name", flat=True)) == ["Åse Ærlig"]
    status = json.loads(page.evaluate(f"fetch('/import/{job.pk}/status.json').then(r => r.text())"))
    assert status["finished"] and status["percent"] == 100
