"""Debian's Chromium under Playwright, for the browser tests (nothing is ever downloaded)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need(*paths: Path | str) -> None:
    """Skip without Chromium (or another file a test needs); in CI, fail instead."""
    missing = [str(p) for p in (CHROMIUM, *paths) if not Path(p).exists()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {', '.join(missing)} (apt-get install chromium; npm install)")
        pytest.skip(f"not here: {', '.join(missing)}")


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium. Playwright's sync API keeps an event loop running in this thread;
    the ORM calls a test makes between browser steps are still plain synchronous code."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
