"""The paper consent form (PDF). A first, plain version: the documents work replaces its body.

Interface kept stable for callers (back office, API, CLI):
``render_consent_forms(dealer=…, requests=[FormRequest(customer, order_reference)]) -> bytes``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer


@dataclass(frozen=True)
class FormRequest:
    customer: Customer
    order_reference: str = ""
    language: str | None = None  # default: the dealer's default language


def render_consent_forms(*, dealer: Dealer, requests: Sequence[FormRequest]) -> bytes:
    """One PDF with one A4 form per request, in order."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for request in requests:
        customer = request.customer
        if customer.dealer_id != dealer.pk:
            raise ValueError("The customer does not belong to this dealer.")
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(50, 780, dealer.name)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(50, 760, f"Org.nr. {dealer.org_number}")
        pdf.drawString(50, 720, f"{customer.name} ({customer.customer_number})")
        if request.order_reference:
            pdf.drawString(50, 700, f"Ordre {request.order_reference}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
