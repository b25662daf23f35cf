"""The interactive docs render in a real browser without loading anything from outside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser import launch_chromium, need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser() -> Iterator[Any]:
    need()
    with launch_chromium() as chromium:
        yield chromium


def test_docs_load_only_local_resources(live_server: Any, browser: Any) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(
            str([a.evaluate("e => e && (e.message || String(e))") for a in message.args])
        ),
    )
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs", wait_until="networkidle")
    Path("screenshots").mkdir(exist_ok=True)
    try:
        page.wait_for_selector(".opblock", timeout=15000)
    except Exception:
        page.screenshot(path="screenshots/api-docs-failed.png")
        spec = page.request.get(f"{live_server.url}/api/v1/openapi.json")
        raise AssertionError([*problems, spec.status, spec.text()[:300]]) from None
    assert page.locator(".opblock").count() >= 15
    assert "samtykke API" in page.content()
    page.screenshot(path="screenshots/api-docs.png", full_page=False)
    local = urlsplit(live_server.url).netloc
    outside = [url for url in requested if urlsplit(url).netloc not in (local, "")]
    assert requested and not outside, outside
