"""The consent ledger: purposes, channels, notices, events (append-only) and the current view."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.customers.models import Customer
from samtykke.tenancy.models import LANGUAGE_CHOICES, ApiKey, Dealer
from samtykke.tenancy.scoping import DealerScopedManager


class Channel(models.Model):
    """A way of contacting a customer electronically: ``sms``, ``email`` (more may be added)."""

    key = models.SlugField(max_length=20, unique=True)
    name_nb = models.CharField(max_length=60)
    name_nn = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.key

    def label(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", "") or self.name_nb)


class Purpose(models.Model):
    """What the consent is for, per dealer. The default purpose's key is ``marketing``."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="purposes")
    key = models.SlugField(max_length=40)
    name_nb = models.CharField(max_length=120)
    name_nn = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    channels = models.ManyToManyField(Channel, related_name="purposes")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["order", "key"]
        constraints = [models.UniqueConstraint(fields=["dealer", "key"], name="purpose_key")]

    def __str__(self) -> str:
        return self.name_nb

    def label(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", "") or self.name_nb)


class Notice(models.Model):
    """The text a customer is shown when asked (one notice per dealer, versions per language)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="notices")
    key = models.SlugField(max_length=40, default="consent")

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dealer", "key"], name="notice_key")]

    def __str__(self) -> str:
        return f"{self.dealer.slug}/{self.key}"


class ImmutableError(RuntimeError):
    pass


class NoticeVersion(models.Model):
    """One published text in one language. Never changed: publishing makes a new version."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="notice_versions")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    content_sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["notice", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "language", "version"], name="notice_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("A published notice version is never changed; publish a new one.")
        self.content_sha256 = self.digest(self.title, self.text)
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        """Printed on the form and the page: ``demo-bil/consent/nb/v3``."""
        return f"{self.dealer.slug}/{self.notice.key}/{self.language}/v{self.version}"

    @staticmethod
    def digest(title: str, text: str) -> str:
        return hashlib.sha256(f"{title}\n\n{text}".encode()).hexdigest()


class Status(models.TextChoices):
    """W3C DPV consent states."""

    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNKNOWN = "unknown", _("Not asked")
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Awaiting confirmation")
    EXPIRED = "expired", _("Expired")


class Source(models.TextChoices):
    PORTAL = "portal", _("Customer's page")
    PAPER_FORM = "paper_form", _("Paper form")
    STAFF = "staff", _("Staff")
    DMS_API = "dms_api", _("DMS (API)")
    SMS_REPLY = "sms_reply", _("SMS reply")
    IMPORT = "import", _("Import")
    GDPR_RESET = "gdpr_reset", _("GDPR reset")
    EMAIL_CONFIRMATION = "email_confirmation", _("E-mail confirmation")
    SYSTEM = "system", _("System")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff user")
    API_KEY = "api_key", _("API key")
    CUSTOMER = "customer", _("The customer")
    SYSTEM = "system", _("The system")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (GDPR art. 6(1)(a), mfl. § 15)")


def new_config_version() -> int:
    return secrets.randbits(62)


class LedgerHead(models.Model):
    """The dealer's last event number and hash; its row is locked while an event is appended."""

    dealer = models.OneToOneField(Dealer, on_delete=models.CASCADE, related_name="ledger_head")
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")
    # A new random value whenever the dealer's purposes, channels or notices change
    # (consent.config): appends read it with the lock and validate against that configuration.
    config_version = models.BigIntegerField(default=new_config_version)

    def __str__(self) -> str:
        return f"{self.dealer_id}: #{self.sequence}"


class ConsentEvent(models.Model):
    """One entry of the append-only ledger. Written only by ``consent.actions``."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="consent_events")
    sequence = models.BigIntegerField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="consent_events")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    notice_version = models.ForeignKey(
        NoticeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_assumed = models.BooleanField(default=False)
    legal_basis = models.CharField(
        max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # IP, user agent, campaign recipient, form reference, scan, note, legacy flags …
    evidence = models.JSONField(default=dict, blank=True)
    # The chain covers the digest, so evidence can be erased (GDPR art. 17) without breaking it.
    evidence_sha256 = models.CharField(max_length=64)
    evidence_erased_at = models.DateTimeField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["dealer", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "sequence"], name="event_sequence"),
        ]
        indexes = [
            models.Index(fields=["dealer", "customer", "sequence"], name="event_customer"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.channel_id} {self.status} ({self.source})"


class ConsentState(models.Model):
    """The current status per (customer, purpose, channel): always a replay of the ledger."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_states")
    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    since = models.DateTimeField()
    event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose", "channel"], name="consent_state_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["dealer", "channel", "status"], name="state_channel_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.purpose_id}/{self.channel_id}: {self.status}"


class PersonalLink(models.Model):
    """A customer's personal link to the portal (``/s/<token>``): stored as a hash, expiring.

    Made for a campaign recipient, for a printed form's QR code, or by the API.
    """

    class Origin(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        PAPER_FORM = "paper_form", _("Paper form")
        API = "api", _("API")
        STAFF = "staff", _("Staff")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="personal_links")
    token_hash = models.CharField(max_length=64, unique=True)
    origin = models.CharField(max_length=12, choices=Origin.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    first_opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        indexes = [models.Index(fields=["dealer", "customer"], name="link_customer")]

    def __str__(self) -> str:
        return f"link {self.pk} for customer {self.customer_id}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
