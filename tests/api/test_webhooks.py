"""Signed webhooks out: Standard Webhooks signatures, rotation, 410, Retry-After, replay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook

from samtykke.api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from samtykke.api.webhooks import delivery as delivery_module
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.api.conftest import ApiClient
from tests.api.receiver import Receiver, running_receiver

# Webhooks start after commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

GIVEN = {"decisions": [{"purpose": "marketing", "channel": "sms", "status": "given"}]}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with override_settings(WEBHOOK_ALLOW_PRIVATE=True), running_receiver() as r:
        yield r


def add_endpoint(api: ApiClient, receiver: Receiver, events: list[str] | None = None) -> dict:
    body: dict = {"url": receiver.url}
    if events:
        body["events"] = events
    r = api.post("webhook-endpoints", body)
    assert r.status_code == 201, r.content
    return r.json()


def test_events_are_signed_per_standard_webhooks(
    api: ApiClient, receiver: Receiver, customer: Customer
) -> None:
    endpoint = add_endpoint(api, receiver)
    assert endpoint["secret"].startswith("whsec_")
    assert "secret" not in api.get(f"webhook-endpoints/{endpoint['id']}").json()
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    api.delete(f"customers/{customer.external_id}")
    assert [m.json["type"] for m in receiver.received] == ["consent.changed", "customer.erased"]
    verifier = Webhook(endpoint["secret"])
    for message in receiver.received:
        verified = verifier.verify(message.body, message.headers)
        assert verified == message.json
        assert message.headers["webhook-id"].startswith("msg_")
    changed = receiver.received[0].json
    assert set(changed) == {"type", "timestamp", "data"}
    assert changed["data"]["customer"] == customer.external_id
    assert changed["data"]["status"] == "given" and changed["data"]["state"]["status"] == "given"
    assert receiver.received[1].json["data"] == {"customer": customer.external_id}
    tampered = receiver.received[0].body.replace(b"given", b"refused")
    with pytest.raises(Exception, match=r"(?i)signature"):
        verifier.verify(tampered, receiver.received[0].headers)


def test_rotation_sends_both_signatures_during_the_overlap(
    api: ApiClient, receiver: Receiver, customer: Customer
) -> None:
    endpoint = add_endpoint(api, receiver, ["consent.changed"])
    rotated = api.post(f"webhook-endpoints/{endpoint['id']}/rotate-secret").json()
    assert rotated["secret"] != endpoint["secret"]
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    (message,) = receiver.received
    assert len(message.headers["webhook-signature"].split(" ")) == 2
    Webhook(endpoint["secret"]).verify(message.body, message.headers)
    Webhook(rotated["secret"]).verify(message.body, message.headers)


def test_a_410_disables_the_endpoint(
    api: ApiClient, receiver: Receiver, dealer: Dealer, customer: Customer
) -> None:
    endpoint = add_endpoint(api, receiver)
    receiver.statuses = [(410, {})]
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    row = WebhookEndpoint.objects.for_dealer(dealer).get(pk=endpoint["id"])
    assert not row.is_active
    (delivery,) = WebhookDelivery.objects.for_dealer(dealer)
    assert delivery.state == "parked" and delivery.attempts == 1
    api.post(
        f"customers/{customer.external_id}/consents",
        {"decisions": [{**GIVEN["decisions"][0], "status": "withdrawn"}]},
    )
    assert receiver.attempts == 1
    listed = api.get(f"webhook-endpoints/{endpoint['id']}").json()
    assert listed["active"] is False and "410" in listed["disabled_reason"]


def test_failures_retry_with_backoff_and_retry_after(
    api: ApiClient, receiver: Receiver, dealer: Dealer, customer: Customer
) -> None:
    add_endpoint(api, receiver)
    receiver.statuses = [(503, {"Retry-After": "120"})]
    started = timezone.now()
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    (delivery,) = WebhookDelivery.objects.for_dealer(dealer)
    assert delivery.state == "pending" and delivery.attempts == 1
    wait = (delivery.next_attempt_at - started).total_seconds()
    assert 119 <= wait <= 125
    assert delivery_module.attempt_delivery(delivery.pk) == "not_due"
    receiver.statuses = [(500, {})]
    WebhookDelivery.objects.for_dealer(dealer).update(next_attempt_at=timezone.now())
    before = timezone.now()
    assert delivery_module.attempt_delivery(delivery.pk) == "retry"
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 300 * 0.8 - 1 <= wait <= 300 * 1.2 + 1  # the second delay, with jitter
    attempts = WebhookAttempt.objects.for_dealer(dealer).filter(delivery=delivery)
    assert [a.status_code for a in attempts] == [503, 500]


def test_parked_after_about_a_day_then_replayed(
    api: ApiClient, receiver: Receiver, dealer: Dealer, customer: Customer
) -> None:
    assert 20 * 3600 <= sum(delivery_module.RETRY_DELAYS) <= 30 * 3600
    endpoint = add_endpoint(api, receiver)
    receiver.down = True
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    (delivery,) = WebhookDelivery.objects.for_dealer(dealer)
    for _ in range(delivery_module.MAX_ATTEMPTS - 1):
        WebhookDelivery.objects.for_dealer(dealer).update(next_attempt_at=timezone.now())
        delivery_module.attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "parked" and delivery.attempts == delivery_module.MAX_ATTEMPTS
    parked = api.get(f"webhook-endpoints/{endpoint['id']}/deliveries?state=parked").json()
    assert [d["id"] for d in parked["deliveries"]] == [delivery.pk]
    assert len(parked["deliveries"][0]["log"]) == delivery_module.MAX_ATTEMPTS
    receiver.down = False
    r = api.post(f"webhook-endpoints/{endpoint['id']}/deliveries/{delivery.pk}/replay")
    assert r.status_code == 202 and r.json()["state"] == "succeeded"
    assert len(receiver.received) == 1


def test_a_customers_later_event_waits_for_the_earlier(
    api: ApiClient, receiver: Receiver, dealer: Dealer, customer: Customer
) -> None:
    add_endpoint(api, receiver, ["consent.changed"])
    receiver.statuses = [(500, {})]
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    api.post(
        f"customers/{customer.external_id}/consents",
        {"decisions": [{**GIVEN["decisions"][0], "status": "withdrawn"}]},
    )
    first, second = WebhookDelivery.objects.for_dealer(dealer).order_by("pk")
    assert first.state == "pending" and second.state == "pending" and second.attempts == 0
    assert receiver.received == []
    WebhookDelivery.objects.for_dealer(dealer).filter(pk=first.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert delivery_module.sweep() == 2
    assert [m.json["data"]["status"] for m in receiver.received] == ["given", "withdrawn"]


def test_private_urls_are_refused_unless_allowed(api: ApiClient) -> None:
    with override_settings(WEBHOOK_ALLOW_PRIVATE=False):
        for url in (
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://10.1.2.3/",
            "ftp://a.example/",
        ):
            r = api.post("webhook-endpoints", {"url": url})
            assert r.status_code == 422 and r.json()["code"] == "invalid_url", url
        assert api.post("webhook-endpoints", {"url": "https://dms.example.no/h"}).status_code == 201


def test_endpoints_are_listed_changed_and_deleted(api: ApiClient, dealer: Dealer) -> None:
    created = api.post("webhook-endpoints", {"url": "https://dms.example.no/a"}).json()
    assert created["events"] == ["consent.changed", "customer.erased"]
    r = api.call("PATCH", f"webhook-endpoints/{created['id']}", {"events": ["customer.erased"]})
    assert r.status_code == 200 and r.json()["events"] == ["customer.erased"]
    r = api.call("PATCH", f"webhook-endpoints/{created['id']}", {"url": "ftp://x"})
    assert r.status_code == 422
    listed = api.get("webhook-endpoints").json()
    assert [e["url"] for e in listed] == ["https://dms.example.no/a"]
    assert "secret" not in listed[0]
    assert api.delete(f"webhook-endpoints/{created['id']}").status_code == 204
    assert api.get(f"webhook-endpoints/{created['id']}").status_code == 404
    assert not WebhookEndpoint.objects.for_dealer(dealer).exists()


def test_the_sweep_frees_stale_claims_and_sends_what_is_due(
    api: ApiClient, receiver: Receiver, dealer: Dealer, customer: Customer
) -> None:
    from samtykke.cli import main

    add_endpoint(api, receiver)
    receiver.down = True
    api.post(f"customers/{customer.external_id}/consents", GIVEN)
    (delivery,) = WebhookDelivery.objects.for_dealer(dealer)
    # A worker died while sending: its claim has expired.
    WebhookDelivery.objects.for_dealer(dealer).update(
        state="sending",
        locked_until=timezone.now() - dt.timedelta(seconds=1),
        next_attempt_at=timezone.now(),
    )
    receiver.down = False
    assert main(["webhooks", "sweep"]) == 0
    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.attempts == 2
    assert len(receiver.received) == 1


def test_whether_a_dealer_has_endpoints_is_kept_until_an_endpoint_changes(
    api: ApiClient, receiver: Receiver, dealer: Dealer, customer: Customer
) -> None:
    """The after-commit check is kept under the head's config_version (consent/config.py), so
    an endpoint added, disabled, enabled or deleted is seen by the very next write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def write(status: str) -> list[str]:
        body = {"decisions": [{"purpose": "marketing", "channel": "sms", "status": status}]}
        with CaptureQueriesContext(connection) as captured:
            r = api.post(f"customers/{customer.external_id}/consents", body)
        assert r.status_code in (200, 201), r.content
        return [q["sql"] for q in captured.captured_queries if "api_webhookendpoint" in q["sql"]]

    write("given")  # no endpoint: the answer "no" is kept
    assert write("refused") == []  # asked of the kept answer, not the database
    endpoint = add_endpoint(api, receiver)
    assert len(write("given")) > 0  # the new endpoint changed the version: asked again
    assert [m.json["data"]["status"] for m in receiver.received] == ["given"]
    # Disabled as a 410 does it (update(), no signal): the kept "yes" costs one empty fan-out.
    WebhookEndpoint.objects.for_dealer(dealer).update(disabled_at=timezone.now())
    write("refused")
    assert len(receiver.received) == 1
    assert api.post(f"webhook-endpoints/{endpoint['id']}/enable").status_code == 200
    write("given")
    statuses = [m.json["data"]["status"] for m in receiver.received]
    assert statuses[-1] == "given" and statuses.count("given") == 2
    assert api.delete(f"webhook-endpoints/{endpoint['id']}").status_code == 204
    before = WebhookDelivery.objects.for_dealer(dealer).count()
    write("refused")
    assert WebhookDelivery.objects.for_dealer(dealer).count() == before
