"""The dealer's customer register: customers and their contacts (orders and visits)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.tenancy.models import Dealer
from samtykke.tenancy.scoping import DealerScopedManager


class Customer(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="customers")
    external_id = models.CharField(_("external id"), max_length=64)
    customer_number = models.CharField(_("customer number"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # E.164 when valid; the raw input otherwise, with the reason in mobile_problem.
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    mobile_is_valid = models.BooleanField(default=False)
    mobile_is_mobile = models.BooleanField(default=False)
    mobile_problem = models.CharField(max_length=200, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    email_is_valid = models.BooleanField(default=False)
    email_problem = models.CharField(max_length=300, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # What the DMS said before the GDPR reset ("SMS: Ja"): evidence, never consent.
    legacy_consent = models.JSONField(default=dict, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "external_id"], name="customer_external_id"),
        ]
        indexes = [
            models.Index(fields=["dealer", "last_contact_at"], name="customer_last_contact"),
            models.Index(fields=["dealer", "customer_number"], name="customer_number"),
            models.Index(fields=["dealer", "mobile"], name="customer_mobile"),
            models.Index(fields=["dealer", "email"], name="customer_email"),
            models.Index(fields=["dealer", "name"], name="customer_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name or '—'} ({self.customer_number or self.external_id})"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def first_name(self) -> str:
        """DMS exports write "Nordmann, Ola" as often as "Ola Nordmann"."""
        name = self.name.strip()
        if "," in name:
            name = name.split(",", 1)[1].strip()
        return name.split()[0] if name else ""

    @property
    def can_receive_sms(self) -> bool:
        return self.mobile_is_valid and self.mobile_is_mobile

    @property
    def address_line(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, place) if p)


class Contact(models.Model):
    """An order or a visit: what "contact in the last N years" is computed from."""

    class Kind(models.TextChoices):
        WORKSHOP_ORDER = "workshop_order", _("Workshop order")
        VEHICLE_SALE = "vehicle_sale", _("Vehicle sale")
        PARTS_SALE = "parts_sale", _("Parts sale")
        OTHER = "other", _("Other")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="contacts")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("date"))
    created_at = models.DateTimeField(default=timezone.now)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("order or visit")
        verbose_name_plural = _("orders and visits")
        indexes = [
            models.Index(fields=["dealer", "occurred_at"], name="contact_when"),
            models.Index(fields=["dealer", "reference"], name="contact_reference"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "customer", "kind", "reference"],
                condition=~models.Q(reference=""),
                name="contact_unique_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()
