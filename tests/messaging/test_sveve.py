"""The Sveve backend against a local fake of its HTTP SMS API."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from samtykke.messaging.sms.base import FindSentUnsupported, SmsMessage, get_sms_backend
from samtykke.messaging.sms.sveve import SveveBackend, e164_from_sveve, sveve_number
from tests.messaging.fakes import FakeSveve

pytestmark = pytest.mark.django_db

KARI = "+4791234567"


def message(to: str = KARI) -> SmsMessage:
    return SmsMessage(to=to, body="Hei! https://x.no/s/abc", sender="BilhusNord", reference="r-7")


def test_numbers_in_sveves_form() -> None:
    assert sveve_number("+4791234567") == "91234567"
    assert sveve_number("+46701234567") == "0046701234567"
    assert e164_from_sveve("91234567") == "+4791234567"
    assert e164_from_sveve("0046701234567") == "+46701234567"
    with pytest.raises(ValueError):
        sveve_number("91234567")


def test_send_ok(sveve_fake: FakeSveve) -> None:
    with get_sms_backend() as backend:
        assert isinstance(backend, SveveBackend)
        result = backend.send(message())
        foreign = backend.send(message(to="+46701234567"))
    assert result.ok and result.provider_id.isdigit() and foreign.ok
    assert sveve_fake.count(to=KARI) == 1 and sveve_fake.count(to="+46701234567") == 1
    assert sveve_fake.find(result.provider_id).reference == "r-7"


def test_invalid_number_fails_for_good(sveve_fake: FakeSveve) -> None:
    sveve_fake.invalid_numbers.add("90000001")
    result = get_sms_backend().send(message(to="+4790000001"))
    assert not result.ok and result.permanent and "Ugyldig" in result.error
    assert sveve_fake.count() == 0


def test_wrong_password_is_not_the_recipients_fault(sveve_fake: FakeSveve, settings: Any) -> None:
    settings.SVEVE_PASSWORD = "wrong"
    result = get_sms_backend().send(message())
    assert not result.ok and not result.permanent and "passord" in result.error


def test_server_error_and_hang_are_worth_a_retry(sveve_fake: FakeSveve) -> None:
    sveve_fake.fail_next("500", "hang")
    backend = get_sms_backend()
    error, hang = backend.send(message()), backend.send(message())
    assert not error.ok and not error.permanent and not error.uncertain
    assert not hang.ok and not hang.permanent and hang.uncertain
    assert backend.send(message()).ok
    assert sveve_fake.count() == 2


def test_find_sent_is_not_offered(sveve_fake: FakeSveve) -> None:
    with pytest.raises(FindSentUnsupported):
        get_sms_backend().find_sent(to=KARI, since=timezone.now())
