"""The messaging app's rows: the demo outbox, the dealers' inbound routes, the replies received."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.tenancy.models import Dealer
from samtykke.tenancy.scoping import DealerScopedManager


class OutboxMessage(models.Model):
    """An SMS "sent" by the outbox backend (the demo's default): kept here, never sent.

    The dealer comes from ``SmsMessage.dealer_id`` (callers set it; a message without one is
    kept with no dealer, shown on no dealer's page, listed by ``samtykke outbox`` only).
    """

    dealer = models.ForeignKey(
        Dealer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=100, blank=True)
    to = models.CharField(_("to"), max_length=20)
    sender = models.CharField(_("from"), max_length=20, blank=True)
    body = models.TextField(_("text"))
    encoding = models.CharField(max_length=5)
    segments = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    # When a delivery report was simulated for it (the demo's "as if delivered").
    delivered_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbox SMS")
        indexes = [
            models.Index(fields=["dealer", "-id"], name="outbox_dealer"),
            models.Index(fields=["to", "created_at"], name="outbox_to"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.body[:40]}"

    @property
    def provider_id(self) -> str:
        return f"outbox-{self.pk}"


class Provider(models.TextChoices):
    TWILIO = "twilio", "Twilio"
    LINKMOBILITY = "linkmobility", "LINK Mobility"
    SVEVE = "sveve", "Sveve"


def hash_secret(raw: str) -> str:
    """Route secrets carry 192 random bits: a plain SHA-256 is a sound one-way hash for them."""
    return hashlib.sha256(raw.encode()).hexdigest()


class InboundRoute(models.Model):
    """Where a provider posts a dealer's inbound SMS: ``/hooks/sms/<provider>/inbound/<secret>/``.

    The secret in the URL names the dealer (so a STOPP reply withdraws consent at that dealer
    only); it is stored as a hash and shown once, when the route is made
    (``samtykke sms-route --dealer SLUG --provider twilio``, or Django admin).
    """

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="sms_routes")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        verbose_name = _("inbound SMS route")

    def __str__(self) -> str:
        return f"{self.dealer.slug} {self.provider} {self.hint}…"

    @classmethod
    def issue(cls, dealer: Dealer, provider: str) -> tuple[InboundRoute, str]:
        if provider not in Provider.values:
            raise ValueError(f"Unknown provider {provider!r}: use {', '.join(Provider.values)}.")
        raw = secrets.token_urlsafe(24)
        route = cls.all_dealers.create(
            dealer=dealer, provider=provider, secret_hash=hash_secret(raw), hint=raw[:6]
        )
        return route, raw

    @classmethod
    def find(cls, provider: str, raw: str) -> InboundRoute | None:
        if not raw or len(raw) > 100:
            return None
        return (
            cls.all_dealers.select_related("dealer")
            .filter(secret_hash=hash_secret(raw), provider=provider, revoked_at__isnull=True)
            .first()
        )


class InboundMessage(models.Model):
    """A reply received, once per provider message id (a retried webhook changes nothing)."""

    class Action(models.TextChoices):
        WITHDREW = "withdrew", _("Withdrew SMS consent")
        IGNORED = "ignored", _("Ignored")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    route = models.ForeignKey(
        InboundRoute, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_message_id = models.CharField(max_length=100)
    from_number = models.CharField(max_length=40)
    to_number = models.CharField(max_length=40, blank=True)
    body = models.TextField()
    action = models.CharField(max_length=10, choices=Action.choices)
    customers_withdrawn = models.PositiveIntegerField(default=0)
    # The dealer's customers with that number when it came: erasing one blanks the row.
    customer_ids = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "provider", "provider_message_id"], name="inbound_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_message_id} ({self.action})"
