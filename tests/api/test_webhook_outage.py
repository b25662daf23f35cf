"""A receiver that is down for a while gets every event once it is back, each customer's in
order — with the database task backend and its worker draining the queue, as in production."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.test import override_settings
from standardwebhooks import Webhook

from samtykke.api.models import WebhookDelivery
from samtykke.api.webhooks import delivery as delivery_module
from samtykke.tenancy.models import Dealer
from tests.api.conftest import ApiClient
from tests.api.receiver import running_receiver
from tests.conftest import make_customer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STATUSES = ["given", "withdrawn", "given", "refused"]


def drain() -> None:
    call_command(
        "db_worker", batch=True, reload=False, interval=0.0, startup_delay=False, verbosity=0
    )


def test_every_event_arrives_in_order_after_an_outage(
    api: ApiClient, dealer: Dealer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A day of backoff compressed into a second; the outage stays within the retry budget.
    monkeypatch.setattr(delivery_module, "RETRY_DELAYS", [0.05, 0.1, 0.2, 0.3, 0.3, 0.3, 0.3])
    monkeypatch.setattr(delivery_module, "MAX_ATTEMPTS", 100)
    customers = [make_customer(dealer, n) for n in range(1, 5)]
    with override_settings(TASKS=DB_TASKS, WEBHOOK_ALLOW_PRIVATE=True), running_receiver() as rx:
        endpoint = api.post("webhook-endpoints", {"url": rx.url}).json()
        rx.down = True  # down while the events happen …
        for status in STATUSES:
            for customer in customers:
                for channel in ("sms", "email"):
                    decision = {"purpose": "marketing", "channel": channel, "status": status}
                    r = api.post(
                        f"customers/{customer.external_id}/consents", {"decisions": [decision]}
                    )
                    assert r.status_code == 201
        expected = len(STATUSES) * len(customers) * 2
        rx.down, rx.refuse_next = False, 20  # … and for 20 more attempts
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            drain()
            states = set(WebhookDelivery.objects.for_dealer(dealer).values_list("state", flat=True))
            if states == {"succeeded"}:
                break
            time.sleep(0.05)
        deliveries = WebhookDelivery.objects.for_dealer(dealer)
        assert deliveries.count() == expected
        assert set(deliveries.values_list("state", flat=True)) == {"succeeded"}
        assert rx.attempts == expected + 20

    verifier = Webhook(endpoint["secret"])
    sequences: dict[str, list[int]] = defaultdict(list)
    ids = set()
    for message in rx.received:
        payload = verifier.verify(message.body, message.headers)
        ids.add(message.headers["webhook-id"])
        sequences[payload["data"]["customer"]].append(payload["data"]["sequence"])
    assert len(rx.received) == len(ids) == expected  # every event, none twice
    for customer in customers:
        got = sequences[customer.external_id]
        assert len(got) == len(STATUSES) * 2
        assert got == sorted(got), f"{customer.external_id} out of order: {got}"
