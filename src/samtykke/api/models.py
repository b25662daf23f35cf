"""The API's own rows: idempotency records, rate-limit windows and outgoing webhooks."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from samtykke.customers.models import Customer
from samtykke.tenancy.models import ApiKey, Dealer
from samtykke.tenancy.scoping import DealerScopedManager


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``, replayed for a repeat."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    status_code = models.PositiveSmallIntegerField(null=True)  # None while in progress
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dealer", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.dealer_id}: {self.key}"


class RateLimitWindow(models.Model):
    """Requests of one API key in one fixed window (the shared state behind 429)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window_start = models.BigIntegerField()  # unix seconds
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "window_start"], name="rate_window_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}@{self.window_start}: {self.count}"


class WebhookEndpoint(models.Model):
    """A URL of the dealer's that receives signed events (Standard Webhooks)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=1000)
    events = models.JSONField(default=list)
    # The signing secret must be usable to sign, so it cannot be a one-way hash.
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # consent.changed deliveries exist for every ledger event up to this sequence.
    fanned_out_sequence = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self) -> list[str]:
        """The current secret, and during a rotation's overlap also the previous one."""
        secrets = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > timezone.now():
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    """One event for one endpoint. Delivered in order per (endpoint, customer)."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SUCCEEDED = "succeeded", "succeeded"
        PARKED = "parked", "parked"

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=64, unique=True)  # the webhook-id header
    event_type = models.CharField(max_length=40)
    sequence = models.BigIntegerField(null=True, blank=True)  # the ledger event's, if any
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["endpoint", "customer", "id"], name="delivery_order"),
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id} ({self.state})"


class WebhookAttempt(models.Model):
    """Every attempt to deliver, with what came back."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at}: {self.status_code or self.error}"
