"""The back office's "SMS-utboks": what the outbox backend kept for this dealer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from samtykke.backoffice.access import staff_view
from samtykke.messaging.models import OutboxMessage
from samtykke.messaging.sms.outbox import simulate_delivery


@require_http_methods(["GET", "HEAD"])
@staff_view
def outbox(request: HttpRequest) -> HttpResponse:
    dealer = request.dealer  # type: ignore[attr-defined]
    messages = OutboxMessage.objects.for_dealer(dealer).order_by("-id")
    campaign = request.GET.get("campaign", "")
    if campaign.isdigit():
        messages = messages.filter(campaign_id=int(campaign))
    else:
        campaign = ""
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "campaign": campaign,
        "backend_is_outbox": settings.SMS_BACKEND == "outbox",
        "undelivered": OutboxMessage.objects.for_dealer(dealer)
        .filter(delivered_at__isnull=True)
        .exists(),
    }
    return render(request, "messaging/outbox.html", context)


@require_POST
@staff_view
def outbox_deliver(request: HttpRequest) -> HttpResponse:
    """Play the provider: report the dealer's outbox messages as delivered (demo, support)."""
    dealer = request.dealer  # type: ignore[attr-defined]
    count = simulate_delivery(OutboxMessage.objects.for_dealer(dealer))
    flash.success(
        request,
        ngettext(
            "%(count)d SMS reported as delivered.", "%(count)d SMS reported as delivered.", count
        )
        % {"count": count},
    )
    return redirect("messaging:outbox")
