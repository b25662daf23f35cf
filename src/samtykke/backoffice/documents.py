"""The back office's seam to the documents app (forms, history PDF, form references)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse

from samtykke.customers.models import Customer
from samtykke.documents.consent_form import FormRequest, render_consent_forms
from samtykke.documents.history import render_consent_history
from samtykke.documents.reference import FormReference, FormReferenceError, parse_form_reference
from samtykke.tenancy.models import Dealer

MAX_BATCH = 500


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def print_forms(dealer: Dealer, requests: Sequence[tuple[Customer, str]]) -> bytes:
    """One PDF with a pre-filled consent form per (customer, order reference)."""
    return render_consent_forms(
        dealer=dealer,
        requests=[FormRequest(customer, reference) for customer, reference in requests],
    )


def consent_history_pdf(dealer: Dealer, customer: Customer, language: str) -> bytes:
    return render_consent_history(dealer=dealer, customer=customer, language=language)


def parse_reference(dealer: Dealer, text: str) -> tuple[FormReference | None, str]:
    """A typed or scanned form reference: (what it names, "") or (None, why it is not one)."""
    try:
        return parse_form_reference(dealer, text), ""
    except FormReferenceError as exc:
        return None, str(exc)
