"""The LINK Mobility backend against a local fake of its SMS REST API."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from samtykke.messaging.sms.base import FindSentUnsupported, SmsMessage, get_sms_backend
from samtykke.messaging.sms.linkmobility import LinkMobilityBackend
from tests.messaging.fakes import FakeLinkMobility

pytestmark = pytest.mark.django_db

KARI = "+4791234567"


def message(to: str = KARI, sender: str = "BilhusNord") -> SmsMessage:
    return SmsMessage(to=to, body="Hei! https://x.no/s/abc", sender=sender, reference="rcpt-42")


def test_send_carries_the_reference_and_the_delivery_gate(link_fake: FakeLinkMobility) -> None:
    with get_sms_backend() as backend:
        assert isinstance(backend, LinkMobilityBackend)
        result = backend.send(message())
    assert result.ok and result.provider_id
    assert link_fake.count(to=KARI) == 1
    sent = link_fake.requests[0]
    assert sent["refId"] == "rcpt-42"
    assert sent["sourceTON"] == "ALPHANUMERIC" and sent["source"] == "BilhusNord"
    assert sent["deliveryReportGates"] == [link_fake.gate_id] and sent["useDeliveryReport"]


def test_numeric_sender(link_fake: FakeLinkMobility) -> None:
    assert get_sms_backend().send(message(sender="+4759440000")).ok
    assert link_fake.requests[0]["sourceTON"] == "MSISDN"


@pytest.mark.parametrize(("number", "code"), [("+4790000001", "2106"), ("+4790000002", "2105")])
def test_invalid_or_blocked_number_fails_for_good(
    link_fake: FakeLinkMobility, number: str, code: str
) -> None:
    link_fake.invalid_numbers.add("+4790000001")
    link_fake.blocked_numbers.add("+4790000002")
    result = get_sms_backend().send(message(to=number))
    assert not result.ok and result.permanent and result.error_code == code
    assert link_fake.count() == 0


def test_server_error_and_hang_are_worth_a_retry(link_fake: FakeLinkMobility) -> None:
    link_fake.fail_next("500", "hang")
    backend = get_sms_backend()
    error = backend.send(message())
    assert not error.ok and not error.permanent and not error.uncertain
    hang = backend.send(message())
    assert not hang.ok and not hang.permanent and hang.uncertain
    assert link_fake.count() == 1  # the hung call was accepted: only LINK knows


def test_wrong_credentials(link_fake: FakeLinkMobility, settings: Any) -> None:
    settings.LINK_PASSWORD = "wrong"
    result = get_sms_backend().send(message())
    assert not result.ok and not result.permanent and result.error_code == "401"


def test_find_sent_is_not_offered(link_fake: FakeLinkMobility) -> None:
    backend = get_sms_backend()
    assert backend.supports_find_sent is False
    with pytest.raises(FindSentUnsupported):
        backend.find_sent(to=KARI, since=timezone.now())
