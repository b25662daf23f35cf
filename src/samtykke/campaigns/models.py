"""Consent campaigns: a message with a personal link to each chosen customer, and its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.consent.models import PersonalLink
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from samtykke.tenancy.scoping import DealerScopedManager


def default_channels() -> list[str]:
    return ["sms"]


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    channels = models.JSONField(_("channels"), default=default_channels)
    contact_window_years = models.PositiveSmallIntegerField(_("contact in the last (years)"))
    message = models.TextField(_("SMS text"))
    email_subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    email_message = models.TextField(_("e-mail text"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    start_at = models.DateTimeField(_("start at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"), null=True, blank=True, default=7
    )
    reminder_started_at = models.DateTimeField(null=True, blank=True)
    link_days = models.PositiveSmallIntegerField(default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    recipient_count = models.PositiveIntegerField(default=0)
    # Housekeeping of the sending tasks (see dispatch.py).
    watched_at = models.DateTimeField(null=True, blank=True)
    last_batch_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.SENDING, self.Status.PAUSED)


class Recipient(models.Model):
    """One customer on one channel of a campaign; its state is the guard against double sends."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Reminder(models.TextChoices):
        NONE = "", _("None")
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    personal_link = models.ForeignKey(PersonalLink, on_delete=models.PROTECT, related_name="+")
    # The token of the personal link is derived from this nonce and a server key (links.py);
    # the database alone holds no working link.
    link_nonce = models.CharField(max_length=32)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    failure_reason = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last attempt may have gone out (a timeout): ask the provider before sending again.
    maybe_sent = models.BooleanField(default=False)
    claim = models.CharField(max_length=32, blank=True)
    first_claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    reminder = models.CharField(max_length=10, choices=Reminder.choices, default="", blank=True)
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_provider_id = models.CharField(max_length=100, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer", "channel"], name="recipient_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state"], name="recipient_state"),
            models.Index(fields=["campaign", "reminder"], name="recipient_reminder"),
            models.Index(fields=["provider_id"], name="recipient_provider_id"),
        ]

    def __str__(self) -> str:
        return f"recipient {self.pk} ({self.channel}, {self.state})"


class SendingBudget(models.Model):
    """The dealer's SMS throughput: messages taken in the current minute (across campaigns)."""

    dealer = models.OneToOneField(Dealer, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField(default=timezone.now)
    used = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.dealer_id}: {self.used} since {self.window_start:%H:%M:%S}"
