"""Forms of the staff pages (login, search, orders). Consent and settings forms live beside."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samtykke.backoffice import throttle
from samtykke.backoffice.search import NOT_ASKED
from samtykke.consent.models import Channel, Purpose, Status
from samtykke.customers.models import Contact


class LoginForm(AuthenticationForm):
    """Django's login, refused for a while after repeated failures (per username and per IP)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong e-mail address or password."),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip().lower()
        self.cleaned_data["username"] = username
        ip = throttle.client_ip(self.request) if self.request else None
        wait = throttle.wait_before_login(username, ip)
        if wait is not None:
            minutes = throttle.minutes(wait)
            raise forms.ValidationError(
                ngettext(
                    "Too many failed logins. Wait %(minutes)d minute and try again.",
                    "Too many failed logins. Wait %(minutes)d minutes and try again.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, ip)
            raise
        throttle.clear_failures(username)
        return cleaned


STATUS_FILTER_CHOICES = [
    ("", _("Any")),
    (Status.GIVEN, _("Given")),
    (Status.REFUSED, _("Refused")),
    (Status.WITHDRAWN, _("Withdrawn")),
    (NOT_ASKED, _("Not asked")),
]
CONTACT_CHOICES = [
    ("", _("Any time")),
    ("1", _("Last year")),
    ("2", _("Last 2 years")),
    ("3", _("Last 3 years")),
    ("5", _("Last 5 years")),
    ("10", _("Last 10 years")),
]


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, mobile, e-mail, customer number or external id"),
    )
    everywhere = forms.BooleanField(label=_("Search anywhere in the name (slower)"), required=False)
    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Purpose.all_dealers.none(), required=False, empty_label=None
    )
    contact = forms.ChoiceField(label=_("Last contact"), choices=CONTACT_CHOICES, required=False)

    def __init__(self, *args: Any, purposes: list[Purpose], channels: list[Channel], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Purpose.all_dealers.filter(pk__in=[p.pk for p in purposes])
        if len(purposes) < 2:
            field.widget = forms.HiddenInput()
        self.channels = channels
        for channel in channels:
            self.fields[f"status_{channel.key}"] = forms.ChoiceField(
                label=channel.label(_language()), choices=STATUS_FILTER_CHOICES, required=False
            )

    def status_fields(self) -> list[forms.BoundField]:
        return [self[f"status_{c.key}"] for c in self.channels]


def _language() -> str:
    from django.utils.translation import get_language

    language = (get_language() or "nb")[:2]
    return language if language in ("nb", "nn", "en") else "nb"


KIND_CHOICES = [("", _("All kinds")), *Contact.Kind.choices]


class OrderFilterForm(forms.Form):
    day_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    reference = forms.CharField(label=_("Order reference"), required=False, max_length=64)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("day_from"), cleaned.get("day_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            raise forms.ValidationError(_("The first day is after the last day."))
        return cleaned
