"""The campaign pages in the back office."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from samtykke.campaigns.models import Campaign, Recipient
from samtykke.campaigns.services import create_campaign
from samtykke.messaging.sms.base import test_outbox
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_wizard_shows_audience_and_measure(alice: Any, dealer: Dealer) -> None:
    make_customer(dealer, 1, name="<script>alert(1)</script> Nordmann")
    make_customer(dealer, 2)
    client = _login(alice)
    page = client.get("/kampanjer/ny/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="audience-count">2<' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "SMS (GSM-7)" in html or "SMS (GSM7)" in html
    narrowed = client.get("/kampanjer/ny/", {"years": "1", "channels": ["sms"], "message": "x"})
    assert narrowed.status_code == 200
    m = client.get(
        "/kampanjer/maal/", {"text": "Hei {fornavn} fra {forhandler}: {lenke} 😀"}
    ).json()
    assert m["encoding"] in ("UCS-2", "UCS2") and m["problems"] == []
    assert client.get("/kampanjer/maal/", {"text": "Hei", "recipients": "x"}).json()["problems"]


def test_wizard_creates_a_draft_then_start_sends(alice: Any, dealer: Dealer) -> None:
    test_outbox.clear()
    make_customer(dealer, 1)
    client = _login(alice)
    data = {
        "name": "Vårkampanje",
        "years": "5",
        "channels": ["sms"],
        "message": "Hei {fornavn}! {forhandler} spør: {lenke}",
        "when": "now",
        "reminder_days": "7",
    }
    refused = client.post("/kampanjer/ny/", {**data, "message": "Hei {fornavn}"})
    assert refused.status_code == 200 and "{lenke}" in refused.content.decode()
    assert not Campaign.objects.for_dealer(dealer).exists()
    response = client.post("/kampanjer/ny/", data)
    campaign = Campaign.objects.for_dealer(dealer).get()
    assert response.status_code == 302 and response.url == f"/kampanjer/{campaign.pk}/"
    assert campaign.status == "draft" and campaign.recipient_count == 1
    assert client.get(f"/kampanjer/{campaign.pk}/start/").status_code == 405  # no GET changes
    page = client.get(f"/kampanjer/{campaign.pk}/")
    assert "Vårkampanje" in page.content.decode() and "<svg" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_start_pause_cancel_and_csv(alice: Any, dealer: Dealer) -> None:
    test_outbox.clear()
    make_customer(dealer, 1, name="=HYPERLINK(1) Ola")
    campaign = create_campaign(dealer=dealer)
    client = _login(alice)
    assert client.post(f"/kampanjer/{campaign.pk}/start/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "done" and len(test_outbox.messages) == 1
    page = client.get(f"/kampanjer/{campaign.pk}/").content.decode()
    assert 'value="100"' in page
    csv = b"".join(client.get(f"/kampanjer/{campaign.pk}/eksport.csv").streaming_content)  # type: ignore[attr-defined]
    text = csv.decode()
    assert text.splitlines()[0].startswith("customer_number,")
    assert "'=HYPERLINK(1) Ola" in text and ",sent," in text and "requested" in text
    assert client.post(f"/kampanjer/{campaign.pk}/cancel/").status_code == 302
    assert client.post(f"/kampanjer/{campaign.pk}/explode/").status_code == 404
    test_outbox.clear()


def test_other_dealers_campaign_is_404(alice: Any, carol: Any, other_dealer: Dealer) -> None:
    make_customer(other_dealer, 1)
    theirs = create_campaign(dealer=other_dealer)
    client = _login(alice)
    for url in (f"/kampanjer/{theirs.pk}/", f"/kampanjer/{theirs.pk}/eksport.csv"):
        assert client.get(url).status_code == 404
    assert client.post(f"/kampanjer/{theirs.pk}/cancel/").status_code == 404
    Campaign.objects.for_dealer(other_dealer).get(pk=theirs.pk, status="draft")


def test_manual_dealer_sees_why(carol: Any, other_dealer: Dealer) -> None:
    client = _login(carol)
    for url in ("/kampanjer/", "/kampanjer/ny/"):
        assert "samler inn samtykke manuelt" in client.get(url).content.decode()
    assert client.post("/kampanjer/ny/", {"years": "5"}).status_code == 200
    assert not Campaign.objects.for_dealer(other_dealer).exists()
    assert not Recipient.objects.for_dealer(other_dealer).exists()


def test_login_required(client: Client) -> None:
    assert client.get("/kampanjer/").status_code == 302
