"""The campaign command and the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from samtykke.campaigns.models import Campaign
from samtykke.cli import main
from samtykke.messaging.sms.base import test_outbox
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def test_cli_create_start_status(dealer: Dealer, capsys: pytest.CaptureFixture[str]) -> None:
    make_customer(dealer, 1)
    make_customer(dealer, 2, mobile="", email="e@example.no")
    assert main(["campaign", "create", "--dealer", dealer.slug, "--channels", "sms,email"]) == 0
    out = capsys.readouterr().out.strip()
    campaign = Campaign.objects.for_dealer(dealer).get()
    assert out == f"campaign {campaign.pk}: 2 recipients"
    assert main(["campaign", "status", str(campaign.pk)]) == 0
    assert "draft; 2 recipients: 2 waiting" in capsys.readouterr().out
    assert main(["campaign", "create", "--dealer", dealer.slug, "--message", "Hei"]) == 2
    assert "{lenke}" in capsys.readouterr().err
    assert main(["campaign", "start", "999999"]) == 2


def test_cli_start_refused_for_manual_dealer(
    other_dealer: Dealer, capsys: pytest.CaptureFixture[str]
) -> None:
    make_customer(other_dealer, 1)
    assert main(["campaign", "create", "--dealer", other_dealer.slug]) == 0
    campaign = Campaign.objects.for_dealer(other_dealer).get()
    assert main(["campaign", "start", str(campaign.pk)]) == 2
    assert "manuelt" in capsys.readouterr().err


def _post(client: Client, key: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/api/v1/campaigns",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    return response.status_code, response.json()


@pytest.mark.django_db(transaction=True)
def test_api_create_start_and_read(dealer: Dealer, api_key: str, other_api_key: str) -> None:
    test_outbox.clear()
    make_customer(dealer, 1)
    client = Client()
    status, body = _post(client, api_key, {"name": "Vår", "start": True})
    assert status == 201, body
    assert body["recipients"] == 1 and body["status"] == "done"
    assert body["progress"] == {  # type: ignore[comparison-overlap]
        "total": 1,
        "pending": 0,
        "sending": 0,
        "sent": 1,
        "delivered": 0,
        "failed": 0,
        "cancelled": 0,
        "percent": 100,
    }
    assert len(test_outbox.messages) == 1
    got = client.get(
        f"/api/v1/campaigns/{body['id']}", headers={"Authorization": f"Bearer {api_key}"}
    )
    assert got.status_code == 200 and got.json()["name"] == "Vår"
    theirs = client.get(
        f"/api/v1/campaigns/{body['id']}", headers={"Authorization": f"Bearer {other_api_key}"}
    )
    assert theirs.status_code == 404
    test_outbox.clear()


def test_api_refusals(
    dealer: Dealer, other_dealer: Dealer, api_key: str, other_api_key: str
) -> None:
    client = Client()
    status, body = _post(client, other_api_key, {"start": True})
    assert status == 409 and body["code"] == "manual_dealer"
    assert "manuelt" in str(body["message"])
    status, body = _post(client, api_key, {"message": "Hei {fornavn}"})
    assert status == 422 and body["code"] == "message_refused"
    status, body = _post(client, api_key, {"channels": ["fax"]})
    assert status == 422 and body["code"] == "invalid_channels"
    status, body = _post(client, api_key, {"years": 99})
    assert status == 422
    assert client.post(
        "/api/v1/campaigns",
        data="{",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_key}"},
    ).status_code in (400, 422)
