"""The back office's "SMS-utboks": what the outbox backend kept for this dealer."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samtykke.backoffice.access import staff_view
from samtykke.messaging.models import OutboxMessage


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
    }
    return render(request, "messaging/outbox.html", context)
