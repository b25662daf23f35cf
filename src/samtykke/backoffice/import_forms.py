"""Forms of the import screens: the upload, and the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samtykke.imports.mapping import FIELDS, ORDER_FIELDS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Customer file (CSV or text export from the DMS)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv,text/plain"}),
    )
    orders_file = forms.FileField(
        label=_("Orders file (optional, when orders come in a file of their own)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv,text/plain"}),
    )


class MappingForm(forms.Form):
    """One select per field: which column of the file holds it (or none)."""

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        proposed: dict[str, str],
        fields: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *[(h, h) for h in headers]]
        self.field_names = list(fields or FIELDS)
        for name in self.field_names:
            label, _synonyms = FIELDS[name]
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=proposed.get(name, "")
            )

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name in self.field_names if self.cleaned_data[name]
        }


ORDERS_FILE_FIELDS = ("external_id", "customer_number", *ORDER_FIELDS)


class RunForm(forms.Form):
    MODES = [("dry_run", _("Dry run")), ("real", _("Run the import"))]
    mode = forms.ChoiceField(choices=MODES, widget=forms.HiddenInput)
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows and import the rest (otherwise nothing is imported)"),
        required=False,
    )
