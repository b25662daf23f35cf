"""The outbox backend, the back office's SMS-utboks page and ``samtykke outbox``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samtykke.cli import main
from samtykke.messaging.models import OutboxMessage
from samtykke.messaging.sms.base import SmsMessage, get_sms_backend
from samtykke.messaging.sms.console import ConsoleBackend
from samtykke.messaging.sms.outbox import OutboxBackend
from samtykke.tenancy.models import Dealer

pytestmark = pytest.mark.django_db


def send(dealer: Dealer | None, to: str, body: str, campaign: int | None = None) -> str:
    backend = get_sms_backend("outbox")
    result = backend.send(
        SmsMessage(
            to=to,
            body=body,
            sender="BilhusNord",
            reference=f"r-{to}",
            campaign_id=campaign,
            dealer_id=dealer.pk if dealer else None,
        )
    )
    assert result.ok
    return result.provider_id


def test_outbox_backend_keeps_the_message(dealer: Dealer) -> None:
    provider_id = send(dealer, "+4791234567", "Hei 😀 https://x.no/s/a", campaign=7)
    row = OutboxMessage.objects.for_dealer(dealer).get()
    assert provider_id == f"outbox-{row.pk}"
    assert (row.campaign_id, row.encoding, row.segments, row.reference) == (
        7,
        "UCS-2",
        1,
        "r-+4791234567",
    )
    backend = OutboxBackend()
    found = backend.find_sent(
        to="+4791234567", since=timezone.now() - dt.timedelta(minutes=1), body_contains="/s/a"
    )
    assert [m.provider_id for m in found] == [provider_id]
    assert backend.find_sent(to="+4791234567", since=timezone.now() + dt.timedelta(minutes=1)) == []


def test_default_backend_is_chosen_by_settings(settings: Any) -> None:
    settings.SMS_BACKEND = "outbox"
    assert isinstance(get_sms_backend(), OutboxBackend)
    with pytest.raises(LookupError):
        get_sms_backend("carrier-pigeon")


def test_console_backend_prints() -> None:
    stream = io.StringIO()
    result = ConsoleBackend(stream).send(
        SmsMessage(to="+4791234567", body="Hei [x]", sender="Bil", reference="r1")
    )
    assert result.ok and "Hei [x]" in stream.getvalue() and "GSM-7" in stream.getvalue()
    assert "+4791234567" in stream.getvalue()


def test_page_shows_only_the_dealers_own_messages(
    client: Client, dealer: Dealer, other_dealer: Dealer, bob: Any
) -> None:
    send(dealer, "+4791111111", "<script>alert(1)</script> https://x.no/s/mine", campaign=3)
    send(dealer, "+4791111112", "second", campaign=4)
    send(other_dealer, "+4792222222", "not yours")
    send(None, "+4793333333", "nobody's")
    client.force_login(bob)
    response = client.get(reverse("messaging:outbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "+4791111111" in html and "+4791111112" in html
    assert "+4792222222" not in html and "not yours" not in html and "nobody" not in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://x.no/s/mine"' in html  # the personal link can be opened in the demo
    assert response.templates[0].name == "messaging/outbox.html"
    assert "backoffice/base.html" in [t.name for t in response.templates]

    only_three = client.get(reverse("messaging:outbox"), {"campaign": "3"}).content.decode()
    assert "+4791111111" in only_three and "+4791111112" not in only_three
    assert client.get(reverse("messaging:outbox"), {"campaign": "x'"}).status_code == 200


def test_page_in_norwegian_and_english(client: Client, dealer: Dealer, bob: Any) -> None:
    client.force_login(bob)
    nb = client.get(reverse("messaging:outbox"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "SMS-utboks" in nb
    en = client.get(reverse("messaging:outbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SMS outbox" in en


def test_page_needs_a_staff_login(
    client: Client, dealer: Dealer, other_dealer: Dealer, carol: Any
) -> None:
    response = client.get(reverse("messaging:outbox"))
    assert response.status_code == 302 and "login" in response["Location"]
    send(dealer, "+4791111111", "Bilhuset's message")
    client.force_login(carol)  # staff at the other dealer
    html = client.get(reverse("messaging:outbox")).content.decode()
    assert "Bilhuset's message" not in html and "+4791111111" not in html


def test_page_is_paged(client: Client, dealer: Dealer, bob: Any) -> None:
    for i in range(55):
        send(dealer, f"+47912{i:05d}", f"message {i}")
    client.force_login(bob)
    first = client.get(reverse("messaging:outbox")).content.decode()
    assert "message 54" in first and "message 4<" not in first
    second = client.get(reverse("messaging:outbox"), {"page": "2"}).content.decode()
    assert "message 4<" in second


def test_cli_lists_number_and_text(
    dealer: Dealer, other_dealer: Dealer, capsys: pytest.CaptureFixture[str]
) -> None:
    send(dealer, "+4791111111", "Hei Kari,\nsvar her: https://x.no/s/a", campaign=5)
    send(dealer, "+4791111112", "Andre kampanje", campaign=6)
    send(other_dealer, "+4792222222", "Fjord", campaign=5)
    assert main(["outbox", "--campaign", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["+4791111111 Hei Kari, svar her: https://x.no/s/a", "+4792222222 Fjord"]
    assert main(["outbox", "--campaign", "5", "--dealer", "bilhuset-nord"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "+4791111111 Hei Kari, svar her: https://x.no/s/a"
    ]
    assert main(["outbox"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["outbox", "--dealer", "nope"]) == 2
    assert "no dealer" in capsys.readouterr().err


def test_cli_makes_an_inbound_route(dealer: Dealer, capsys: pytest.CaptureFixture[str]) -> None:
    from samtykke.messaging.models import InboundRoute

    assert main(["sms-route", "--dealer", "bilhuset-nord", "--provider", "sveve"]) == 0
    url = capsys.readouterr().out.splitlines()[-1]
    assert url.startswith("http://testserver/hooks/sms/sveve/inbound/")
    secret = url.rstrip("/").rsplit("/", 1)[1]
    route = InboundRoute.find("sveve", secret)
    assert route is not None and route.dealer == dealer
    assert InboundRoute.find("twilio", secret) is None


@pytest.mark.postgres  # SQLite's shared-cache in-memory test database locks across threads
@pytest.mark.django_db(transaction=True)
def test_outbox_from_worker_threads(dealer: Dealer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    backend = OutboxBackend()
    assert backend.parallel_safe is False and get_sms_backend("twilio").parallel_safe
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(
                lambda i: backend.send(SmsMessage(f"+4791{i:06d}", "x", "B", str(i), 1, dealer.pk)),
                range(20),
            )
        )
    assert all(r.ok for r in results)
    assert OutboxMessage.objects.for_dealer(dealer).count() == 20


def test_simulated_delivery_reports(
    client: Client, dealer: Dealer, other_dealer: Dealer, bob: Any
) -> None:
    from samtykke.messaging.reports import DeliveryReport
    from samtykke.messaging.signals import delivery_reported

    heard: list[DeliveryReport] = []

    def listener(sender: object, report: DeliveryReport, **kwargs: object) -> bool:
        heard.append(report)
        return True

    delivery_reported.connect(listener, weak=False)
    try:
        mine = send(dealer, "+4791111111", "mine")
        send(other_dealer, "+4792222222", "theirs")
        client.force_login(bob)
        assert (
            "Report as delivered"
            in client.get(reverse("messaging:outbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )
        assert client.get(reverse("messaging:outbox_deliver")).status_code == 405
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(bob)
        assert strict.post(reverse("messaging:outbox_deliver")).status_code == 403
        assert heard == []
        response = client.post(reverse("messaging:outbox_deliver"), follow=True)
        assert response.status_code == 200
        assert [(r.provider, r.provider_id, r.reference, r.status) for r in heard] == [
            ("outbox", mine, "r-+4791111111", "delivered")
        ]
        assert client.post(reverse("messaging:outbox_deliver")).status_code == 302
        assert len(heard) == 1  # reported once
        theirs = OutboxMessage.objects.for_dealer(other_dealer).get()
        assert theirs.delivered_at is None
        assert main(["outbox", "--deliver", "--dealer", "fjord-auto"]) == 0
        assert len(heard) == 2 and heard[-1].reference == "r-+4792222222"
    finally:
        delivery_reported.disconnect(listener)
