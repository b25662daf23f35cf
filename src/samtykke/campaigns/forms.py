"""The campaign wizard's form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.campaigns.message import DEFAULT_EMAIL_MESSAGE, DEFAULT_EMAIL_SUBJECT, DEFAULT_MESSAGE

CHANNEL_CHOICES = [("sms", _("SMS")), ("email", _("E-mail (customers without a mobile number)"))]
WHEN_CHOICES = [("now", _("Start now")), ("later", _("Start at a set time"))]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name of the campaign"), max_length=200, required=False)
    years = forms.IntegerField(
        label=_("Customers with contact in the last (years)"), min_value=1, max_value=30
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=CHANNEL_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("SMS text"),
        widget=forms.Textarea(attrs={"rows": 4, "aria-describedby": "sms-measure"}),
        help_text=_(
            "Placeholders: {fornavn} first name, {forhandler} your name, {lenke} the link."
        ),
        max_length=1000,
    )
    email_subject = forms.CharField(label=_("E-mail subject"), max_length=200, required=False)
    email_message = forms.CharField(
        label=_("E-mail text"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    when = forms.ChoiceField(
        label=_("When"), choices=WHEN_CHOICES, widget=forms.RadioSelect, initial="now"
    )
    start_at = forms.DateTimeField(
        label=_("Start at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reminder_days = forms.IntegerField(
        label=_("Reminder to those who have not answered after (days)"),
        help_text=_("Empty: no reminder."),
        min_value=1,
        max_value=60,
        required=False,
    )

    @classmethod
    def initial_for(cls, years: int) -> dict[str, Any]:
        return {
            "years": years,
            "channels": ["sms"],
            "message": DEFAULT_MESSAGE,
            "email_subject": DEFAULT_EMAIL_SUBJECT,
            "email_message": DEFAULT_EMAIL_MESSAGE,
            "when": "now",
            "reminder_days": 7,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "later":
            start_at: dt.datetime | None = data.get("start_at")
            if start_at is None:
                self.add_error("start_at", _("Choose when to start."))
            elif start_at <= timezone.now():
                self.add_error("start_at", _("The start time has passed."))
        else:
            data["start_at"] = None
        return data
