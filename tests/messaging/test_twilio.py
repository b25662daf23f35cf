"""The Twilio backend against a local fake that speaks Twilio's Messages API."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone

from samtykke.messaging.sms.base import SmsMessage, get_sms_backend
from samtykke.messaging.sms.twilio import TwilioBackend, TwilioError
from tests.messaging.fakes import FakeTwilio

pytestmark = pytest.mark.django_db

KARI = "+4791234567"


def message(
    to: str = KARI, body: str = "Hei Kari! Svar her: https://x.no/s/abc", **kw: Any
) -> SmsMessage:
    return SmsMessage(to=to, body=body, sender="BilhusNord", reference=kw.pop("ref", "r-1"), **kw)


def test_send_is_accepted_and_counted(twilio_fake: FakeTwilio) -> None:
    with get_sms_backend() as backend:
        assert isinstance(backend, TwilioBackend)
        result = backend.send(message())
    assert result.ok and result.provider_id.startswith("SM")
    assert twilio_fake.count(to=KARI, body="Hei Kari! Svar her: https://x.no/s/abc") == 1
    received = twilio_fake.find(result.provider_id)
    assert received.sender == "BilhusNord"
    callback = urlsplit(received.callback)
    assert callback.path == "/hooks/sms/twilio/status/"
    assert parse_qs(callback.query) == {"ref": ["r-1"]}


def test_messaging_service_replaces_from(twilio_fake: FakeTwilio, settings: Any) -> None:
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    result = get_sms_backend().send(message())
    assert result.ok
    assert twilio_fake.find(result.provider_id).sender == "MG" + "1" * 32


@pytest.mark.parametrize(("number", "code"), [("+4790000001", "21211"), ("+4790000002", "21610")])
def test_invalid_or_blocked_number_fails_for_good(
    twilio_fake: FakeTwilio, number: str, code: str
) -> None:
    twilio_fake.invalid_numbers.add("+4790000001")
    twilio_fake.blocked_numbers.add("+4790000002")
    result = get_sms_backend().send(message(to=number))
    assert not result.ok and result.permanent and not result.uncertain
    assert result.error_code == code and result.error
    assert twilio_fake.count() == 0


def test_a_number_twilio_cannot_take_never_leaves(twilio_fake: FakeTwilio) -> None:
    result = get_sms_backend().send(message(to="91234567"))
    assert not result.ok and result.permanent
    assert twilio_fake.attempts == 0


def test_server_error_is_worth_a_retry(twilio_fake: FakeTwilio) -> None:
    twilio_fake.fail_next("500")
    backend = get_sms_backend()
    first = backend.send(message())
    assert not first.ok and not first.permanent and not first.uncertain
    assert first.error_code == "500"
    assert twilio_fake.count() == 0
    assert backend.send(message()).ok
    assert twilio_fake.count() == 1


def test_a_hang_past_the_timeout_is_uncertain_and_find_sent_settles_it(
    twilio_fake: FakeTwilio,
) -> None:
    started = timezone.now()
    twilio_fake.fail_next("hang")
    backend = get_sms_backend()
    result = backend.send(message(body="Lenke https://x.no/s/tok-1"))
    assert not result.ok and not result.permanent and result.uncertain
    # The provider had accepted it: asking is how a retry avoids a second SMS.
    found = backend.find_sent(to=KARI, since=started, body_contains="/s/tok-1")
    assert [m.to for m in found] == [KARI]
    assert found[0].provider_id == twilio_fake.accepted[0].id
    assert twilio_fake.count() == 1


def test_unreachable_provider_is_worth_a_retry(settings: Any) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.TWILIO_BASE_URL = f"http://127.0.0.1:{port}"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "x"
    result = TwilioBackend(timeout=0.5).send(message())
    assert not result.ok and not result.permanent and not result.uncertain


def test_wrong_credentials_are_not_the_recipients_fault(
    twilio_fake: FakeTwilio, settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "wrong"
    result = get_sms_backend().send(message())
    assert not result.ok and not result.permanent and result.error_code == "401"
    assert twilio_fake.count() == 0


def test_find_sent_filters_by_number_time_and_text(twilio_fake: FakeTwilio) -> None:
    backend = get_sms_backend()
    before = timezone.now()
    backend.send(message(body="A https://x.no/s/one"))
    backend.send(message(body="B https://x.no/s/two"))
    backend.send(message(to="+4798765432", body="C https://x.no/s/one"))
    found = backend.find_sent(to=KARI, since=before, body_contains="/s/one")
    assert [m.body for m in found] == ["A https://x.no/s/one"]
    assert found[0].sent_at is not None and found[0].sent_at >= before - dt.timedelta(seconds=1)
    assert len(backend.find_sent(to=KARI, since=before)) == 2
    assert backend.find_sent(to=KARI, since=timezone.now() + dt.timedelta(hours=1)) == []


def test_find_sent_follows_pages(twilio_fake: FakeTwilio) -> None:
    backend = get_sms_backend()
    for i in range(5):
        backend.send(message(body=f"nr {i}"))
    # The fake pages like Twilio: next_page_uri until the end.
    page = httpx.get(
        f"{twilio_fake.url}{twilio_fake.base_path}",
        params={"To": KARI, "PageSize": "2"},
        auth=(twilio_fake.account_sid, twilio_fake.auth_token),
    ).json()
    assert len(page["messages"]) == 2 and page["next_page_uri"]
    assert len(backend.find_sent(to=KARI, since=timezone.now() - dt.timedelta(minutes=1))) == 5


def test_find_sent_raises_when_twilio_cannot_answer(twilio_fake: FakeTwilio, settings: Any) -> None:
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(TwilioError):
        get_sms_backend().find_sent(to=KARI, since=timezone.now())


def test_the_fake_checks_the_date_filter_as_twilio_sends_it(twilio_fake: FakeTwilio) -> None:
    get_sms_backend().send(message())
    auth = (twilio_fake.account_sid, twilio_fake.auth_token)
    url = f"{twilio_fake.url}{twilio_fake.base_path}"
    today = dt.datetime.now(dt.UTC).date()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert (
        len(httpx.get(url, params={"DateSent>": today.isoformat()}, auth=auth).json()["messages"])
        == 1
    )
    assert httpx.get(url, params={"DateSent>": tomorrow}, auth=auth).json()["messages"] == []
    assert httpx.get(url, params={"DateSent": "nonsense"}, auth=auth).status_code == 400


# Twilio's published request-validation vectors (auth token "12345").
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


def test_signature_matches_twilios_published_vectors() -> None:
    from samtykke.messaging.sms.twilio import compute_signature, is_valid_signature

    assert compute_signature(VECTOR_URL, VECTOR_PARAMS.items(), "12345") == (
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    repeated = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]
    assert is_valid_signature(VECTOR_URL, repeated, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", "12345")
    assert is_valid_signature(
        VECTOR_URL, VECTOR_PARAMS.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345"
    )
    # Twilio may sign with the default port written out.
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    signature = compute_signature(with_port, VECTOR_PARAMS.items(), "12345")
    assert is_valid_signature(VECTOR_URL, VECTOR_PARAMS.items(), signature, "12345")
    tampered = {**VECTOR_PARAMS, "Digits": "9999"}.items()
    assert not is_valid_signature(VECTOR_URL, tampered, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345")
    assert not is_valid_signature(
        VECTOR_URL + "&x=1", VECTOR_PARAMS.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345"
    )
    assert not is_valid_signature(VECTOR_URL, VECTOR_PARAMS.items(), "", "12345")
    assert not is_valid_signature(
        VECTOR_URL, VECTOR_PARAMS.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", ""
    )
