"""Delivery-report webhooks: checked, normalized, announced through ``delivery_reported``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from samtykke.messaging.reports import DeliveryReport, DeliveryStatus
from samtykke.messaging.signals import delivery_reported
from samtykke.messaging.sms.base import SmsMessage, get_sms_backend
from tests.messaging.fakes import FakeLinkMobility, FakeSveve, FakeTwilio, twilio_signature

pytestmark = pytest.mark.django_db

KARI = "+4791234567"


class Listener:
    """A stand-in for the campaigns app: knows the references it was given."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.reports: list[DeliveryReport] = []
        self.fail = False

    def __call__(self, sender: object, report: DeliveryReport, **kwargs: object) -> bool:
        if self.fail:
            raise RuntimeError("database down")
        self.reports.append(report)
        return report.reference in self.known


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener({"rcpt-1"})
    delivery_reported.connect(found, weak=False)
    yield found
    delivery_reported.disconnect(found)


def sms(reference: str = "rcpt-1") -> SmsMessage:
    return SmsMessage(to=KARI, body="Hei https://x.no/s/a", sender="Bil", reference=reference)


def signed(path_with_query: str, params: dict[str, str], token: str) -> dict[str, str]:
    return {
        "HTTP_X_TWILIO_SIGNATURE": twilio_signature(
            "http://testserver" + path_with_query, params.items(), token
        )
    }


def test_twilio_status_callback(
    client: Client, twilio_fake: FakeTwilio, listener: Listener
) -> None:
    result = get_sms_backend().send(sms())
    callback = twilio_fake.find(result.provider_id).callback
    path = callback.removeprefix("http://testserver")
    params = {
        "MessageSid": result.provider_id,
        "MessageStatus": "delivered",
        "AccountSid": twilio_fake.account_sid,
        "To": KARI,
    }
    response = client.post(path, params, **signed(path, params, twilio_fake.auth_token))
    assert response.status_code == 200
    [report] = listener.reports
    assert (report.provider, report.provider_id, report.reference) == (
        "twilio",
        result.provider_id,
        "rcpt-1",
    )
    assert report.status == DeliveryStatus.DELIVERED and report.is_final

    failed = {**params, "MessageStatus": "undelivered", "ErrorCode": "30005"}
    assert (
        client.post(path, failed, **signed(path, failed, twilio_fake.auth_token)).status_code == 200
    )
    assert listener.reports[-1].status == DeliveryStatus.FAILED
    assert listener.reports[-1].error_code == "30005"
    sending = {**params, "MessageStatus": "sent"}
    client.post(path, sending, **signed(path, sending, twilio_fake.auth_token))
    assert listener.reports[-1].status == DeliveryStatus.SENT and not listener.reports[-1].is_final


def test_twilio_bad_signature_is_400(
    client: Client, twilio_fake: FakeTwilio, listener: Listener
) -> None:
    path = reverse("messaging:twilio_status") + "?ref=rcpt-1"
    params = {"MessageSid": "SMx", "MessageStatus": "delivered"}
    assert client.post(path, params, **signed(path, params, "not-the-token")).status_code == 400
    tampered = {**params, "MessageStatus": "failed"}
    assert (
        client.post(path, tampered, **signed(path, params, twilio_fake.auth_token)).status_code
        == 400
    )
    other_ref = reverse("messaging:twilio_status") + "?ref=rcpt-2"  # signature covers the URL
    assert (
        client.post(other_ref, params, **signed(path, params, twilio_fake.auth_token)).status_code
        == 400
    )
    assert client.post(path, params).status_code == 400
    assert listener.reports == []
    incomplete = {"MessageSid": "SMx"}
    assert (
        client.post(
            path, incomplete, **signed(path, incomplete, twilio_fake.auth_token)
        ).status_code
        == 400
    )


def test_unknown_message_is_200_so_the_provider_stops(
    client: Client, twilio_fake: FakeTwilio, listener: Listener
) -> None:
    path = reverse("messaging:twilio_status") + "?ref=nobody-knows"
    params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    assert (
        client.post(path, params, **signed(path, params, twilio_fake.auth_token)).status_code == 200
    )
    assert listener.reports[0].reference == "nobody-knows"


def test_a_failing_receiver_makes_the_provider_retry(
    twilio_fake: FakeTwilio, listener: Listener
) -> None:
    listener.fail = True
    path = reverse("messaging:twilio_status") + "?ref=rcpt-1"
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    client = Client(raise_request_exception=False)
    response = client.post(path, params, **signed(path, params, twilio_fake.auth_token))
    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_twilio_fake_calls_back_over_http(
    live_server: Any, twilio_fake: FakeTwilio, listener: Listener
) -> None:
    result = get_sms_backend().send(sms())
    response = twilio_fake.report_delivery(result.provider_id, "delivered", target=live_server.url)
    assert response.status_code == 200
    assert listener.reports[0].provider_id == result.provider_id
    assert listener.reports[0].reference == "rcpt-1"


def test_linkmobility_delivery(
    client: Client, link_fake: FakeLinkMobility, listener: Listener, settings: Any
) -> None:
    path = reverse(
        "messaging:linkmobility_delivery", kwargs={"secret": settings.LINK_WEBHOOK_SECRET}
    )
    report = {
        "id": "abc",
        "refId": "rcpt-1",
        "resultCode": 1001,
        "timestamp": "2026-11-30T10:00:00Z",
    }
    assert client.post(path, report, content_type="application/json").status_code == 200
    got = listener.reports[-1]
    assert (got.status, got.reference, got.provider_id) == ("delivered", "rcpt-1", "abc")
    assert got.at.isoformat() == "2026-11-30T10:00:00+00:00"
    gone = {**report, "resultCode": 2104}
    assert client.post(path, gone, content_type="application/json").status_code == 200
    assert listener.reports[-1].status == "failed" and listener.reports[-1].error_code == "2104"
    wrong = reverse("messaging:linkmobility_delivery", kwargs={"secret": "guess"})
    assert client.post(wrong, report, content_type="application/json").status_code == 404
    assert client.post(path, "[]", content_type="application/json").status_code == 400
    unknown = {**report, "refId": "nobody"}
    assert client.post(path, unknown, content_type="application/json").status_code == 200
    several = [report, {**report, "id": "def"}]
    assert client.post(path, several, content_type="application/json").status_code == 200
    assert [r.provider_id for r in listener.reports[-2:]] == ["abc", "def"]
    assert client.post(path, [report, 1], content_type="application/json").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_linkmobility_fake_reports_over_http(
    live_server: Any, link_fake: FakeLinkMobility, listener: Listener, settings: Any
) -> None:
    result = get_sms_backend().send(sms())
    url = live_server.url + reverse(
        "messaging:linkmobility_delivery", kwargs={"secret": settings.LINK_WEBHOOK_SECRET}
    )
    assert link_fake.report_delivery(result.provider_id, 1001, url=url).status_code == 200
    assert listener.reports[0].reference == "rcpt-1"
    assert listener.reports[0].status == DeliveryStatus.DELIVERED


def test_sveve_delivery(
    client: Client, sveve_fake: FakeSveve, listener: Listener, settings: Any
) -> None:
    path = reverse("messaging:sveve_delivery", kwargs={"secret": settings.SVEVE_WEBHOOK_SECRET})
    ok = {"number": "91234567", "id": "1001", "status": "true", "ref": "rcpt-1"}
    assert client.get(path, ok).status_code == 200
    assert listener.reports[-1].status == "delivered"
    bad = {**ok, "status": "false", "errorCode": "X", "errorDesc": "Ukjent nummer"}
    assert client.get(path, bad).status_code == 200
    assert listener.reports[-1].status == "failed"
    assert listener.reports[-1].error == "Ukjent nummer"
    assert client.get(path, {"id": "1"}).status_code == 400
    wrong = reverse("messaging:sveve_delivery", kwargs={"secret": "guess"})
    assert client.get(wrong, ok).status_code == 404
    # One callback URL for everything: reports that reach a dealer's inbound URL count too.
    from samtykke.messaging.models import InboundRoute
    from samtykke.tenancy.services import create_dealer

    dealer = create_dealer(name="Sveve Bil AS", org_number="923609016", slug="sveve-bil")
    _, secret = InboundRoute.issue(dealer, "sveve")
    inbound = reverse("messaging:sveve_inbound", kwargs={"secret": secret})
    assert client.get(inbound, {**ok, "id": "2002"}).status_code == 200
    assert listener.reports[-1].provider_id == "2002"


@pytest.mark.django_db(transaction=True)
def test_sveve_fake_reports_over_http(
    live_server: Any, sveve_fake: FakeSveve, listener: Listener, settings: Any
) -> None:
    result = get_sms_backend().send(sms())
    url = live_server.url + reverse(
        "messaging:sveve_delivery", kwargs={"secret": settings.SVEVE_WEBHOOK_SECRET}
    )
    assert sveve_fake.report_delivery(result.provider_id, False, url=url).status_code == 200
    assert listener.reports[0].status == DeliveryStatus.FAILED
    assert listener.reports[0].reference == "rcpt-1"


def test_no_secret_configured_means_no_endpoint(client: Client, settings: Any) -> None:
    settings.LINK_WEBHOOK_SECRET = ""
    path = reverse("messaging:linkmobility_delivery", kwargs={"secret": "x"})
    assert client.post(path, {}, content_type="application/json").status_code == 404
