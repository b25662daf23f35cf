"""The overview page: where the dealer stands with consent."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from samtykke.backoffice.access import dealer_of, staff_view
from samtykke.backoffice.panel import purpose_channels, ui_language
from samtykke.backoffice.stats import bar_width, channel_counts, reachable, weekly_chart
from samtykke.customers.models import Customer


@require_safe
@staff_view
def home(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    pairs = purpose_channels(dealer)
    customers = Customer.objects.for_dealer(dealer).filter(erased_at__isnull=True).count()
    chart = weekly_chart(dealer)
    purpose = pairs[0][0] if pairs else None
    reach = reachable(dealer, purpose, customers)
    return render(
        request,
        "backoffice/home.html",
        {
            "customers": customers,
            "counts": channel_counts(dealer, pairs, customers, ui_language()),
            "chart": chart,
            "bar_width": bar_width(chart),
            "reach": reach,
            "sms_share": reach.share(reach.sms),
            "email_share": reach.share(reach.email),
            "purpose": purpose,
            "language": ui_language(),
        },
    )
