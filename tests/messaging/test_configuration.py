"""Our own set-up errors are never the recipient's fault: failed, but worth a retry."""

from __future__ import annotations

import pytest

from samtykke.messaging.sms.base import SmsMessage, get_sms_backend
from tests.messaging.fakes import FakeLinkMobility, FakeSveve, FakeTwilio

pytestmark = pytest.mark.django_db

NO_SENDER = SmsMessage("+4791234567", "Hei /s/x", "", "r1")


def test_twilio_without_a_sender(twilio_fake: FakeTwilio) -> None:
    result = get_sms_backend().send(NO_SENDER)
    assert not result.ok and not result.permanent and result.error_code == "configuration"
    assert twilio_fake.attempts == 0


def test_linkmobility_without_a_sender(link_fake: FakeLinkMobility) -> None:
    result = get_sms_backend().send(NO_SENDER)
    assert not result.ok and not result.permanent and result.error_code == "configuration"
    assert link_fake.attempts == 0


def test_sveve_without_a_sender(sveve_fake: FakeSveve) -> None:
    result = get_sms_backend().send(NO_SENDER)
    assert not result.ok and not result.permanent and result.error_code == "configuration"
    assert sveve_fake.attempts == 0


def test_sveve_asks_for_replies_only_from_a_number(sveve_fake: FakeSveve) -> None:
    backend = get_sms_backend()
    request = backend.build_send(SmsMessage("+4791234567", "x", "Bil-Nord", "r"))  # type: ignore[attr-defined]
    assert request.json["messages"][0]["reply"] is False
    request = backend.build_send(SmsMessage("+4791234567", "x", "+4759440000", "r"))  # type: ignore[attr-defined]
    assert request.json["messages"][0]["reply"] is True
