"""The portal's own rows: e-mail confirmations (double opt-in) and per-IP look-up counters."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from samtykke.consent.models import NoticeVersion, PersonalLink
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from samtykke.tenancy.scoping import DealerScopedManager


class EmailConfirmation(models.Model):
    """A customer corrected the e-mail address and said yes to e-mail: confirm before ``given``.

    The address typed on the page is kept here (and in the ``pending`` event's evidence). It is
    written to the customer record only when the customer follows the link in the e-mail.
    The token is made when the e-mail is sent; only its SHA-256 is stored.
    """

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="email_confirmations"
    )
    link = models.ForeignKey(PersonalLink, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254)
    purpose_keys = models.JSONField(default=list)
    notice_version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=2)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A newer correction, a later "no" on the page, or erasure ends an unconfirmed request.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        indexes = [models.Index(fields=["dealer", "customer"], name="email_confirmation_customer")]

    def __str__(self) -> str:
        return f"e-mail confirmation {self.pk} for customer {self.customer_id}"

    @property
    def is_open(self) -> bool:
        return (
            self.confirmed_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )


class LookupCounter(models.Model):
    """How many token look-ups one client (a keyed hash of its IP) made in one time window.

    Kept in the database so every web process on every machine counts together.
    """

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)  # every look-up
    failed = models.PositiveIntegerField(default=0)  # look-ups of tokens that named nothing

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="lookup_counter_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="lookup_counter_window")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%H:%M}: {self.count}/{self.failed}"
