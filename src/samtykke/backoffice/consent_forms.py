"""Forms of the Markedsføring panel: a signed paper form, and a refusal or withdrawal by staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.backoffice.scans import Scan, check_scan
from samtykke.consent.models import Channel, NoticeVersion, Purpose, Status

LANGUAGE_NAMES = {"nb": _("Bokmål"), "nn": _("Nynorsk"), "en": _("English")}


def choice_key(purpose: Purpose, channel: Channel) -> str:
    return f"{purpose.key}:{channel.key}"


def choice_label(purpose: Purpose, channel: Channel, language: str) -> str:
    return f"{purpose.label(language)} – {channel.label(language)}"


class NoticeVersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, NoticeVersion)
        language = LANGUAGE_NAMES.get(obj.language, obj.language)
        return f"{obj.reference} ({language}, {obj.published_at:%d.%m.%Y})"


class PaperConsentForm(forms.Form):
    """What the customer ticked on the signed form. Boxes start unticked: silence is no consent."""

    signed_on = forms.DateField(
        label=_("Date signed"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notice_version = NoticeVersionChoice(
        label=_("Notice version printed on the form"), queryset=NoticeVersion.all_dealers.none()
    )
    scan = forms.FileField(
        label=_("Scan of the signed form (PDF, JPEG or PNG, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    form_reference = forms.CharField(label=_("Form reference"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[Purpose, Channel]],
        versions: list[NoticeVersion],
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        field = self.fields["notice_version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = NoticeVersion.all_dealers.filter(pk__in=[v.pk for v in versions])
        self.choice_names = []
        for purpose, channel in choices:
            name = f"tick_{purpose.key}_{channel.key}"
            self.fields[name] = forms.BooleanField(
                label=choice_label(purpose, channel, language), required=False, initial=False
            )
            self.choice_names.append((name, purpose, channel))

    def ticks(self) -> list[forms.BoundField]:
        return [self[name] for name, _, _ in self.choice_names]

    def clean_signed_on(self) -> dt.date:
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date signed cannot be in the future."))
        if day < timezone.localdate() - dt.timedelta(days=3 * 365):
            raise forms.ValidationError(_("The date signed is more than three years ago."))
        return day

    def clean_scan(self) -> Scan | None:
        upload = self.cleaned_data.get("scan")
        return check_scan(upload) if upload else None

    def decisions(self) -> list[tuple[Purpose, Channel, str]]:
        """Ticked boxes are consent given; boxes left empty are consent refused."""
        return [
            (purpose, channel, Status.GIVEN if self.cleaned_data.get(name) else Status.REFUSED)
            for name, purpose, channel in self.choice_names
        ]

    def occurred_at(self) -> dt.datetime:
        """Signed today: now. Signed earlier: noon that day (the hour is not on the form)."""
        day: dt.date = self.cleaned_data["signed_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


class StaffDecisionForm(forms.Form):
    """A refusal or withdrawal the customer gave at the counter or by phone."""

    STATUS_CHOICES = [
        (Status.WITHDRAWN, _("Withdrawn (had said yes, now says no)")),
        (Status.REFUSED, _("Refused (says no)")),
    ]
    VIA_CHOICES = [("counter", _("At the counter")), ("phone", _("By phone"))]

    choices = forms.MultipleChoiceField(
        label=_("Which purposes and channels"), widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(
        label=_("What the customer said"), choices=STATUS_CHOICES, widget=forms.RadioSelect
    )
    via = forms.ChoiceField(label=_("How"), choices=VIA_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, choices: list[tuple[Purpose, Channel]], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["choices"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(choice_key(p, c), choice_label(p, c, language)) for p, c in choices]
