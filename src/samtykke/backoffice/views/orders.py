"""The orders list, and printing the consent form for one order or many."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from samtykke.backoffice import documents
from samtykke.backoffice.access import dealer_object, dealer_of, staff_view
from samtykke.backoffice.forms import OrderFilterForm
from samtykke.customers.models import Contact
from samtykke.tenancy.models import Dealer

PAGE_SIZE = 50


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_orders(dealer: Dealer, form: OrderFilterForm) -> QuerySet[Contact]:
    orders = (
        Contact.objects.for_dealer(dealer)
        .filter(customer__erased_at__isnull=True)
        .select_related("customer")
        .order_by("-occurred_at", "-pk")
    )
    if not form.is_valid():
        return orders.none()
    data = form.cleaned_data
    if data.get("day_from"):
        orders = orders.filter(occurred_at__gte=_day_start(data["day_from"]))
    if data.get("day_to"):
        orders = orders.filter(occurred_at__lt=_day_start(data["day_to"] + dt.timedelta(days=1)))
    if data.get("kind"):
        orders = orders.filter(kind=data["kind"])
    if data.get("reference"):
        orders = orders.filter(reference__startswith=data["reference"].strip())
    return orders


def _default_filter() -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {"day_from": today, "day_to": today, "kind": ""}


@require_safe
@staff_view
def order_list(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    form = OrderFilterForm(request.GET if request.GET else _default_filter())
    raw_page = request.GET.get("page", "1")
    page = max(1, min(int(raw_page), 10_000)) if raw_page.isdigit() else 1
    offset = (page - 1) * PAGE_SIZE
    rows = list(filtered_orders(dealer, form)[offset : offset + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/orders/list.html",
        {
            "form": form,
            "orders": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "query_string": query.urlencode(),
            "max_batch": documents.MAX_BATCH,
        },
    )


@require_POST
@staff_view
def order_print(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    order = dealer_object(request, Contact, pk=pk, customer__erased_at__isnull=True)
    content = documents.print_forms(dealer, [(order.customer, order.reference)])
    return documents.pdf_response(content, f"samtykke-{order.reference or order.pk}.pdf")


@require_POST
@staff_view
def order_batch_print(request: HttpRequest) -> HttpResponse:
    """One PDF: the ticked orders, or (with none ticked) every order the filter shows."""
    dealer = dealer_of(request)
    ids = [int(v) for v in request.POST.getlist("order") if v.isdigit()]
    form = OrderFilterForm(request.POST)
    if ids:
        orders = list(
            Contact.objects.for_dealer(dealer)
            .filter(pk__in=ids, customer__erased_at__isnull=True)
            .select_related("customer")
            .order_by("-occurred_at", "-pk")[: documents.MAX_BATCH + 1]
        )
    else:
        orders = list(filtered_orders(dealer, form)[: documents.MAX_BATCH + 1])
    if not orders:
        messages.error(request, _("No orders to print."))
        return redirect("backoffice:orders")
    if len(orders) > documents.MAX_BATCH:
        messages.error(
            request,
            _("At most %(n)d forms can be printed at once; narrow the filter.")
            % {"n": documents.MAX_BATCH},
        )
        return redirect("backoffice:orders")
    content = documents.print_forms(dealer, [(o.customer, o.reference) for o in orders])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return documents.pdf_response(content, f"samtykkeskjema-{stamp}.pdf")
