"""Forms of the dealer settings (administrators only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samtykke.consent.models import Channel, Purpose
from samtykke.tenancy.models import (
    LANGUAGE_CHOICES,
    Dealer,
    Membership,
    default_sending_hours,
)

DAYS = [("weekdays", _("Monday–Friday")), ("saturday", _("Saturday")), ("sunday", _("Sunday"))]


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class DealerSettingsForm(forms.ModelForm):
    quiet_hours = forms.BooleanField(
        label=_("Send campaign messages only within the hours below"), required=False
    )

    class Meta:
        model = Dealer
        fields = ["consent_option", "contact_window_years", "sms_sender", "default_language"]
        widgets = {"consent_option": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.sending_hours
        self.fields["quiet_hours"].initial = hours is not None
        shown = hours if hours is not None else default_sending_hours()  # ready to switch on
        for day, label in DAYS:
            window = shown.get(day)
            self.fields[f"{day}_from"] = _time_field(_("%(day)s from") % {"day": label})
            self.fields[f"{day}_to"] = _time_field(_("%(day)s to") % {"day": label})
            if window:
                self.fields[f"{day}_from"].initial = window[0]
                self.fields[f"{day}_to"].initial = window[1]
        self.fields["sms_sender"].help_text = _(
            "At most 11 letters or digits, e.g. DemoBil. Customers cannot reply to a name."
        )

    def day_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(label), self[f"{day}_from"], self[f"{day}_to"]) for day, label in DAYS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours: dict[str, list[str] | None] = {}
        for day, label in DAYS:
            start: dt.time | None = cleaned.get(f"{day}_from")
            end: dt.time | None = cleaned.get(f"{day}_to")
            if (start is None) != (end is None):
                self.add_error(f"{day}_to", _("Give both times, or neither (no sending that day)."))
                continue
            if start is not None and end is not None:
                if start >= end:
                    self.add_error(
                        f"{day}_to", _("%(day)s: the end must be after the start.") % {"day": label}
                    )
                    continue
                hours[day] = [start.strftime("%H:%M"), end.strftime("%H:%M")]
            else:
                hours[day] = None
        self.sending_hours = hours if cleaned.get("quiet_hours") else None
        return cleaned

    def save(self, commit: bool = True) -> Dealer:
        dealer: Dealer = super().save(commit=False)
        dealer.sending_hours = self.sending_hours
        if commit:
            dealer.save()
        return dealer


class PurposeForm(forms.ModelForm):
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Purpose
        fields = ["key", "name_nb", "name_nn", "name_en", "channels", "active", "order"]
        labels = {
            "key": _("Key (used by the DMS; cannot be changed later)"),
            "name_nb": _("Name (Bokmål)"),
            "name_nn": _("Name (Nynorsk)"),
            "name_en": _("Name (English)"),
            "active": _("Active (offered to customers)"),
            "order": _("Order"),
        }

    def __init__(self, *args: Any, dealer: Dealer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dealer = dealer
        if self.instance.pk:
            self.fields["key"].disabled = True

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if self.instance.pk:
            return self.instance.key
        if Purpose.objects.for_dealer(self.dealer).filter(key=key).exists():
            raise forms.ValidationError(_("A purpose with this key exists."))
        return key

    def save(self, commit: bool = True) -> Purpose:
        purpose: Purpose = super().save(commit=False)
        purpose.dealer = self.dealer
        if commit:
            purpose.save()
            self.save_m2m()
        return purpose


class NoticeForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))


class StaffUserForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial="DMS")
