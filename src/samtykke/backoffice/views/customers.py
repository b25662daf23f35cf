"""The customer register and the customer card."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from samtykke.backoffice import documents
from samtykke.backoffice.access import dealer_object, dealer_of, staff_view
from samtykke.backoffice.forms import CustomerSearchForm
from samtykke.backoffice.panel import dealer_channels, panel_rows, purpose_channels, ui_language
from samtykke.backoffice.search import CustomerFilter, search_page
from samtykke.consent.models import Channel, ConsentEvent, ConsentState, Purpose, Status
from samtykke.consent.receipts import build_receipt
from samtykke.consent.selectors import history
from samtykke.customers.models import Contact, Customer
from samtykke.tenancy.models import Dealer

PAGE_SIZE = 25
MAX_PAGE = 400  # 10,000 customers deep: past that, search narrower


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, min(int(raw), MAX_PAGE)) if raw.isdigit() else 1


@require_safe
@staff_view
def customer_list(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    pairs = purpose_channels(dealer)
    purposes = list(dict.fromkeys(p for p, _ in pairs))
    channels = dealer_channels(pairs)
    form = CustomerSearchForm(request.GET or None, purposes=purposes, channels=channels)
    customers: list[Customer] = []
    page = _page_number(request)
    has_next = False
    broadened = False
    searched = form.is_bound and form.is_valid()
    if not form.is_bound or searched:
        data: dict[str, Any] = form.cleaned_data if searched else {}
        purpose: Purpose | None = data.get("purpose") or (purposes[0] if purposes else None)
        statuses = tuple(
            (c.pk, data[f"status_{c.key}"]) for c in channels if data.get(f"status_{c.key}")
        )
        spec = CustomerFilter(
            query=data.get("q", ""),
            everywhere=bool(data.get("everywhere")),
            purpose_id=purpose.pk if purpose else None,
            statuses=statuses,
            contact_within_years=int(data["contact"]) if data.get("contact") else None,
        )
        offset = (page - 1) * PAGE_SIZE
        rows = search_page(dealer, spec, offset, PAGE_SIZE + 1)
        if not rows and page == 1 and spec.query.strip() and not spec.everywhere:
            spec = replace(spec, everywhere=True)
            rows = search_page(dealer, spec, 0, PAGE_SIZE + 1)
            broadened = bool(rows)
        has_next = len(rows) > PAGE_SIZE
        customers = rows[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("page", None)
    shown_purpose = (form.cleaned_data.get("purpose") if searched else None) or (
        purposes[0] if purposes else None
    )
    return render(
        request,
        "backoffice/customers/list.html",
        {
            "form": form,
            "customers": customers,
            "statuses": _status_rows(dealer, customers, shown_purpose, channels),
            "channels": channels,
            "page": page,
            "has_next": has_next,
            "broadened": broadened,
            "first_index": (page - 1) * PAGE_SIZE + 1,
            "last_index": (page - 1) * PAGE_SIZE + len(customers),
            "query_string": query.urlencode(),
        },
    )


def _status_rows(
    dealer: Dealer, customers: list[Customer], purpose: Purpose | None, channels: list[Channel]
) -> list[tuple[Customer, list[tuple[str, str]]]]:
    """Each listed customer with the status per channel for ``purpose`` (one query)."""
    found: dict[tuple[int, int], str] = {}
    if purpose is not None and customers:
        found = {
            (customer_id, channel_id): status
            for customer_id, channel_id, status in ConsentState.objects.for_dealer(dealer)
            .filter(customer__in=customers, purpose=purpose)
            .values_list("customer_id", "channel_id", "status")
        }
    return [
        (
            customer,
            [
                (found.get((customer.pk, c.pk), Status.UNKNOWN), c.label(ui_language()))
                for c in channels
            ],
        )
        for customer in customers
    ]


@require_safe
@staff_view
def customer_card(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    customer = dealer_object(request, Customer, pk=pk)
    contacts = list(Contact.objects.for_dealer(dealer).filter(customer=customer)[:100])
    events = list(history(dealer, customer))
    return render(
        request,
        "backoffice/customers/card.html",
        {
            "customer": customer,
            "contacts": contacts,
            "rows": panel_rows(dealer, customer),
            "events": events,
            "language": ui_language(),
        },
    )


@require_POST
@staff_view
def print_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The pre-filled consent form (POST: printing issues the personal link behind its QR code)."""
    dealer = dealer_of(request)
    customer = dealer_object(request, Customer, pk=pk)
    if customer.is_erased:
        raise Http404("The customer was erased.")
    content = documents.print_forms(dealer, [(customer, "")])
    return documents.pdf_response(content, f"samtykke-{customer.customer_number or pk}.pdf")


@require_safe
@staff_view
def history_json(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    customer = dealer_object(request, Customer, pk=pk)
    receipt = build_receipt(dealer, customer, language=ui_language())
    response = HttpResponse(
        json.dumps(receipt, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="samtykke-{customer.customer_number or pk}-{stamp}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@staff_view
def history_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    customer = dealer_object(request, Customer, pk=pk)
    content = documents.consent_history_pdf(dealer, customer, ui_language())
    return documents.pdf_response(
        content, f"samtykkehistorikk-{customer.customer_number or pk}.pdf"
    )


@require_safe
@staff_view
def event_scan(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """The scan of a signed paper form kept as an event's evidence."""
    customer = dealer_object(request, Customer, pk=pk)
    event = dealer_object(request, ConsentEvent, pk=event_pk, customer=customer)
    scan = (event.evidence or {}).get("scan") or {}
    path = scan.get("path") if isinstance(scan, dict) else None
    if not path or not default_storage.exists(path):
        raise Http404("No scan.")
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        default_storage.open(path, "rb"),
        content_type=scan.get("content_type") or "application/octet-stream",
    )
    response["Content-Disposition"] = f'inline; filename="{path.rsplit("/", 1)[-1]}"'
    response["Cache-Control"] = "no-store"
    return response
