"""The back office's seam to the documents app (forms, history PDF, form references)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpResponse

from samtykke.customers.models import Customer
from samtykke.documents.consent_form import FormRequest, render_consent_forms
from samtykke.tenancy.models import Dealer

MAX_BATCH = 500


class NotAvailable(RuntimeError):
    """The documents work this feature needs is not installed yet."""


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
    try:
        module = importlib.import_module("samtykke.documents.history")
    except ImportError as exc:
        raise NotAvailable("samtykke.documents.history") from exc
    content: bytes = module.render_consent_history(
        dealer=dealer, customer=customer, language=language
    )
    return content


@dataclass(frozen=True)
class FormReference:
    """What a printed form's reference names (customer number, notice version, order)."""

    customer_number: str
    notice_version: str  # the notice version's reference, e.g. ``demo-bil/consent/nb/v3``
    order_reference: str = ""


def parse_reference(dealer: Dealer, text: str) -> FormReference | None:
    """Read a typed or scanned form reference with the documents app's parser (None if unread)."""
    try:
        module = importlib.import_module("samtykke.documents.reference")
    except ImportError:
        return None
    try:
        parsed = module.parse_form_reference(text.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    slug = getattr(parsed, "dealer_slug", None) or getattr(parsed, "dealer", None)
    if slug and slug != dealer.slug:
        return None
    return FormReference(
        customer_number=str(getattr(parsed, "customer_number", "") or ""),
        notice_version=str(getattr(parsed, "notice_version", "") or ""),
        order_reference=str(getattr(parsed, "order_reference", "") or ""),
    )
