"""Every route, walked from the OpenAPI document: another dealer's objects are 404, a revoked
or unknown key is 401. A new route is covered without anyone remembering to add it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from samtykke.api.models import WebhookDelivery, WebhookEndpoint
from samtykke.api.webhooks.signing import new_secret
from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.customers.models import Customer
from samtykke.tenancy.models import ApiKey, Dealer
from tests.api.conftest import ApiClient
from tests.conftest import make_customer

B_EXTERNAL_ID = "B-ONLY-7731"
B_NAME = "Bjørn Fjordmann"
B_URL = "https://hooks.fjordauto.example/samtykke"

# Valid bodies, so that a 404 comes from scoping and not from validation.
BODIES: dict[tuple[str, str], Any] = {
    ("put", "/api/v1/customers/{external_id}"): {"name": "A's own customer"},
    ("post", "/api/v1/customers/bulk"): {
        "customers": [{"external_id": "A-OWN-1", "name": "A's own"}]
    },
    ("post", "/api/v1/customers/{external_id}/contacts"): {
        "kind": "workshop_order",
        "reference": "WO-1",
        "occurred_at": "2026-01-01T10:00:00+01:00",
    },
    ("post", "/api/v1/customers/{external_id}/consents"): {
        "decisions": [{"purpose": "marketing", "channel": "sms", "status": "withdrawn"}]
    },
    ("post", "/api/v1/consents/check"): {
        "purpose": "marketing",
        "channel": "sms",
        "customers": [B_EXTERNAL_ID],
    },
    ("post", "/api/v1/webhook-endpoints"): {"url": "https://a.example/hook"},
    ("patch", "/api/v1/webhook-endpoints/{endpoint_id}"): {"url": "https://a.example/x"},
}


def routes() -> list[tuple[str, str]]:
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    ]


@pytest.fixture
def b_objects(other_dealer: Dealer) -> dict[str, str]:
    b_customer = make_customer(other_dealer, 2, external_id=B_EXTERNAL_ID, name=B_NAME)
    record_consent(
        dealer=other_dealer,
        customer=b_customer,
        decisions=[Decision("marketing", "sms", "given")],
        source="staff",
        actor=Actor.system("test"),
    )
    endpoint = WebhookEndpoint.objects.create(
        dealer=other_dealer, url=B_URL, events=["consent.changed"], secret=new_secret()
    )
    delivery = WebhookDelivery.objects.create(
        dealer=other_dealer,
        endpoint=endpoint,
        message_id="msg_b",
        event_type="consent.changed",
        customer=b_customer,
        payload={"type": "consent.changed", "data": {"customer": B_EXTERNAL_ID}},
        state="parked",
    )
    from samtykke.campaigns.services import create_campaign

    campaign = create_campaign(dealer=other_dealer)
    return {
        "external_id": B_EXTERNAL_ID,
        "endpoint_id": str(endpoint.pk),
        "delivery_id": str(delivery.pk),
        "campaign_id": str(campaign.pk),
    }


def fill(path: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"add a value of another dealer's for path parameter {name!r}"
        return values[name]

    return re.sub(r"\{(\w+)\}", one, path)


def test_every_route_hides_another_dealers_objects(
    api: ApiClient, other_dealer: Dealer, b_objects: dict[str, str]
) -> None:
    b_customer = Customer.objects.for_dealer(other_dealer).get(external_id=B_EXTERNAL_ID)
    # PUT makes A's own customer of that external id: walk it last.
    walked = sorted(routes(), key=lambda route: route[0] == "put")
    assert len(walked) >= 15
    for method, path in walked:
        url = fill(path, b_objects)
        response = api.call(method.upper(), url, BODIES.get((method, path), {}))
        where = f"{method.upper()} {path}: {response.status_code} {response.content[:200]!r}"
        assert response.status_code < 500, where
        text = response.content.decode(errors="replace")
        assert B_NAME not in text and B_URL not in text, where
        if method == "put" and path == "/api/v1/customers/{external_id}":
            assert response.status_code == 201, where  # A's own customer of that id
        elif "{" in path:
            assert response.status_code == 404, where
            assert response.json()["code"].endswith("not_found"), where
        else:  # no object in the path: whatever it answers must not show B's data
            if (method, path) in BODIES or method == "get":
                assert response.status_code in (200, 201), where
            if path != "/api/v1/consents/check":  # the check echoes the id it was asked about
                assert B_EXTERNAL_ID not in text, where
            else:
                assert response.json()["denied"] == [
                    {"customer": B_EXTERNAL_ID, "reason": "not_found"}
                ]
    b_customer.refresh_from_db()
    assert b_customer.name == B_NAME and not b_customer.is_erased
    assert WebhookEndpoint.objects.for_dealer(other_dealer).count() == 1


@pytest.mark.parametrize("kind", ["revoked", "unknown", "missing", "malformed"])
def test_every_route_needs_a_valid_key(
    api: ApiClient, dealer: Dealer, b_objects: dict[str, str], kind: str
) -> None:
    if kind == "revoked":
        for key in ApiKey.objects.for_dealer(dealer):
            key.revoke()
    client = {
        "revoked": api,
        "unknown": ApiClient("smt_" + "x" * 43),
        "missing": ApiClient(None),
        "malformed": ApiClient("not a key at all"),
    }[kind]
    for method, path in routes():
        url = fill(path, b_objects)
        response = client.call(method.upper(), url, BODIES.get((method, path), {}))
        where = f"{method.upper()} {path}: {response.status_code}"
        assert response.status_code == 401, where
        assert response.json()["code"] == "unauthorized", where
