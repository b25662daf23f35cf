"""Delivering webhooks as tasks: signed POSTs, retries with backoff, order per customer.

- 2xx: succeeded; the customer's next delivery on this endpoint is woken.
- 410 Gone: the endpoint is disabled and the delivery parked.
- anything else (timeouts, refused connections, 4xx, 5xx): retried after 5 s, 5 min, 30 min,
  2 h, 5 h, 10 h and 10 h (±20 % jitter; a ``Retry-After`` is honoured), about a day in all,
  then parked until replayed.
- A delivery waits while an earlier delivery of the same customer to the same endpoint has not
  succeeded: events for one customer arrive in order.
The delivery row is the guard, not the queue: a task claims it with a conditional update, so a
task that runs twice never sends twice at once; a crashed sender's claim expires.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import time

import httpx
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from samtykke.api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from samtykke.api.webhooks.fanout import announce_erasure, fan_out
from samtykke.api.webhooks.signing import signature_header

log = logging.getLogger(__name__)

RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 36000]  # seconds, after attempt 1, 2, …
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 10.0
CLAIM_FOR = dt.timedelta(seconds=60)
MAX_RETRY_AFTER = 24 * 3600
State = WebhookDelivery.State


@task()
def fan_out_webhooks(dealer_id: int) -> int:
    """Create deliveries for new ledger events and start them."""
    ids = fan_out(dealer_id)
    for delivery_id in ids:
        schedule(delivery_id)
    return len(ids)


@task()
def announce_erasure_webhooks(dealer_id: int, customer_id: int, external_id: str) -> int:
    ids = announce_erasure(dealer_id, customer_id, external_id)
    for delivery_id in ids:
        schedule(delivery_id)
    return len(ids)


@task()
def deliver_webhook(delivery_id: int) -> str:
    return attempt_delivery(delivery_id)


def schedule(delivery_id: int, at: dt.datetime | None = None) -> None:
    """Enqueue a delivery now, or for later when the backend can defer (else the sweeper will)."""
    if at is None or at <= timezone.now():
        transaction.on_commit(lambda: deliver_webhook.enqueue(delivery_id))
    elif deliver_webhook.get_backend().supports_defer:
        transaction.on_commit(lambda: deliver_webhook.using(run_after=at).enqueue(delivery_id))


def retry_delay(attempts: int, retry_after: int | None) -> float:
    if retry_after is not None:
        return float(min(max(retry_after, 1), MAX_RETRY_AFTER))
    base = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return base * random.uniform(0.8, 1.2)


def parse_retry_after(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, int((when - timezone.now()).total_seconds()))


def _blocked(delivery: WebhookDelivery) -> bool:
    """An earlier delivery of this customer to this endpoint has not succeeded yet."""
    return (
        WebhookDelivery.objects.for_dealer(delivery.dealer_id)
        .filter(endpoint_id=delivery.endpoint_id, customer_id=delivery.customer_id)
        .filter(pk__lt=delivery.pk)
        .exclude(state=State.SUCCEEDED)
        .exists()
    )


def _wake_next(delivery: WebhookDelivery) -> None:
    following = (
        WebhookDelivery.objects.for_dealer(delivery.dealer_id)
        .filter(endpoint_id=delivery.endpoint_id, customer_id=delivery.customer_id)
        .filter(pk__gt=delivery.pk, state=State.PENDING)
        .order_by("pk")
        .values_list("pk", "next_attempt_at")
        .first()
    )
    if following is not None:
        schedule(following[0], following[1])


def attempt_delivery(delivery_id: int) -> str:
    """One attempt, if the delivery is due, its turn and not taken. Returns what happened."""
    delivery = WebhookDelivery.all_dealers.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != State.PENDING:
        return "not_pending"
    endpoint = delivery.endpoint
    now = timezone.now()
    if not endpoint.is_active:
        return "endpoint_disabled"
    if delivery.next_attempt_at > now + dt.timedelta(seconds=1):
        return "not_due"
    if _blocked(delivery):
        return "waiting"
    claimed = (
        WebhookDelivery.objects.for_dealer(delivery.dealer_id)
        .filter(pk=delivery.pk, state=State.PENDING)
        .update(state=State.SENDING, locked_until=now + CLAIM_FOR)
    )
    if not claimed:
        return "taken"
    status, error, excerpt, retry_after, elapsed = _send(endpoint, delivery)
    WebhookAttempt.objects.create(
        dealer_id=delivery.dealer_id,
        delivery=delivery,
        attempted_at=now,
        status_code=status,
        error=error[:300],
        duration_ms=elapsed,
        response_excerpt=excerpt[:500],
    )
    delivery.attempts += 1
    delivery.locked_until = None
    fields = ["state", "attempts", "locked_until", "last_error", "next_attempt_at", "delivered_at"]
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at, delivery.last_error = State.SUCCEEDED, now, ""
        delivery.save(update_fields=fields)
        _wake_next(delivery)
        return "succeeded"
    delivery.last_error = (error or f"HTTP {status}")[:300]
    if status == 410:
        WebhookEndpoint.objects.for_dealer(delivery.dealer_id).filter(pk=endpoint.pk).update(
            disabled_at=now, disabled_reason="The receiver answered 410 Gone."
        )
        delivery.state = State.PARKED
        delivery.save(update_fields=fields)
        return "endpoint_gone"
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = State.PARKED
        delivery.save(update_fields=fields)
        log.warning("webhook delivery %s parked after %s attempts", delivery.pk, delivery.attempts)
        return "parked"
    delivery.state = State.PENDING
    delivery.next_attempt_at = now + dt.timedelta(
        seconds=retry_delay(delivery.attempts, retry_after)
    )
    delivery.save(update_fields=fields)
    schedule(delivery.pk, delivery.next_attempt_at)
    return "retry"


def _send(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> tuple[int | None, str, str, int | None, int]:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "samtykke-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            endpoint.signing_secrets(), delivery.message_id, timestamp, body
        ),
    }
    started = time.monotonic()
    try:
        response = httpx.post(
            endpoint.url, content=body, headers=headers, timeout=TIMEOUT, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return None, f"{type(exc).__name__}: {exc}", "", None, elapsed
    elapsed = int((time.monotonic() - started) * 1000)
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return response.status_code, "", response.text[:500], retry_after, elapsed


def replay(delivery: WebhookDelivery) -> None:
    """Send a parked (or any finished) delivery again, now, with a fresh set of attempts."""
    WebhookDelivery.objects.for_dealer(delivery.dealer_id).filter(pk=delivery.pk).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), locked_until=None
    )
    delivery.refresh_from_db()
    schedule(delivery.pk)


def sweep(limit: int = 1000) -> int:
    """The safety net (cron or a periodic task): catch up fan-outs, free stale claims, and
    enqueue due deliveries whose task was lost or whose backend could not defer."""
    now = timezone.now()
    for dealer_id in set(
        WebhookEndpoint.all_dealers.filter(disabled_at__isnull=True).values_list(
            "dealer_id", flat=True
        )
    ):
        for delivery_id in fan_out(dealer_id):
            schedule(delivery_id)
    WebhookDelivery.all_dealers.filter(state=State.SENDING, locked_until__lt=now).update(
        state=State.PENDING, locked_until=None
    )
    due = list(
        WebhookDelivery.all_dealers.filter(
            Q(state=State.PENDING)
            & Q(next_attempt_at__lte=now)
            & Q(endpoint__disabled_at__isnull=True)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        deliver_webhook.enqueue(delivery_id)
    return len(due)
