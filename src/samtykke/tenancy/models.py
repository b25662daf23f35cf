"""Dealers, their staff and their API keys."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.tenancy.scoping import DealerScopedManager
from samtykke.tenancy.validators import validate_org_number, validate_sms_sender

LANGUAGE_CHOICES = [("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")]


def default_languages() -> list[str]:
    return ["nb", "nn", "en"]


def default_sending_hours() -> dict[str, Any]:
    """Send 09:00–20:00 on weekdays, 10:00–16:00 on Saturdays, never on Sundays and holidays."""
    return {"weekdays": ["09:00", "20:00"], "saturday": ["10:00", "16:00"], "sunday": None}


class Dealer(models.Model):
    class ConsentOption(models.TextChoices):
        MANUAL = "manual", _("Manual: staff record consent and print the paper form")
        ASSISTED = "assisted", _("Assisted: customers answer an SMS with a personal link")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    org_number = models.CharField(
        _("organisation number"), max_length=9, validators=[validate_org_number]
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    sms_sender = models.CharField(
        _("SMS sender name"), max_length=11, blank=True, validators=[validate_sms_sender]
    )
    consent_option = models.CharField(
        _("how consent is collected"),
        max_length=10,
        choices=ConsentOption.choices,
        default=ConsentOption.MANUAL,
    )
    contact_window_years = models.PositiveSmallIntegerField(
        _("contact window (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    # None: no quiet hours (send at any time). Otherwise {"weekdays": [from, to] | None,
    # "saturday": [...] | None, "sunday": [...] | None}; never on Norwegian public holidays.
    sending_hours = models.JSONField(
        _("sending hours"), null=True, blank=True, default=default_sending_hours
    )
    sms_per_minute = models.PositiveIntegerField(_("SMS per minute"), default=600)
    languages = models.JSONField(_("languages offered"), default=default_languages)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=LANGUAGE_CHOICES, default="nb"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def address_line(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, place) if p)

    @property
    def is_assisted(self) -> bool:
        return self.consent_option == self.ConsentOption.ASSISTED


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(default=timezone.now)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dealer", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.dealer.slug} ({self.role})"


API_KEY_PREFIX = "smt_"


def hash_api_key(raw: str) -> str:
    """API keys carry 256 random bits, so a plain SHA-256 is a sound one-way hash for them."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="DMS")
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, dealer: Dealer, name: str = "DMS") -> tuple[ApiKey, str]:
        """Create a key; the raw key is returned once and never stored."""
        raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls.all_dealers.create(
            dealer=dealer, name=name, prefix=raw[:12], key_hash=hash_api_key(raw)
        )
        return key, raw

    @classmethod
    def authenticate(cls, raw: str) -> ApiKey | None:
        if not raw.startswith(API_KEY_PREFIX) or len(raw) > 200:
            return None
        key = (
            cls.all_dealers.select_related("dealer")
            .filter(key_hash=hash_api_key(raw), revoked_at__isnull=True)
            .first()
        )
        if key is not None:
            now = timezone.now()
            if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
                cls.all_dealers.filter(pk=key.pk).update(last_used_at=now)
                key.last_used_at = now
        return key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
