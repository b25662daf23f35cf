"""Fixtures for the messaging tests: each fake provider started and wired into the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from samtykke.messaging.sms.base import test_outbox
from tests.messaging.fakes import FakeLinkMobility, FakeSveve, FakeTwilio

# Short timeouts so a hanging fake costs a second, not ten.
CLIENT_TIMEOUT = 0.5
HANG_SECONDS = 1.0


@pytest.fixture(autouse=True)
def _empty_test_outbox() -> Iterator[None]:
    test_outbox.clear()
    yield
    test_outbox.clear()


@pytest.fixture
def twilio_fake(settings: Any) -> Iterator[FakeTwilio]:
    with FakeTwilio(hang_seconds=HANG_SECONDS) as fake:
        fake.configure(settings)
        settings.SMS_TIMEOUT = CLIENT_TIMEOUT
        yield fake


@pytest.fixture
def link_fake(settings: Any) -> Iterator[FakeLinkMobility]:
    with FakeLinkMobility(hang_seconds=HANG_SECONDS) as fake:
        fake.configure(settings)
        settings.SMS_TIMEOUT = CLIENT_TIMEOUT
        yield fake


@pytest.fixture
def sveve_fake(settings: Any) -> Iterator[FakeSveve]:
    with FakeSveve(hang_seconds=HANG_SECONDS) as fake:
        fake.configure(settings)
        settings.SMS_TIMEOUT = CLIENT_TIMEOUT
        yield fake
