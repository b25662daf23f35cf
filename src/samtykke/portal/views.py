"""The customer's page behind a personal link (the full page comes with the campaign work)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from samtykke.consent.links import find_personal_link


@require_safe
def personal_link(request: HttpRequest, token: str) -> HttpResponse:
    link = find_personal_link(token)
    if link is None:
        return render(request, "portal/unknown_link.html", {"dealer": None}, status=404)
    if not link.is_usable:
        return render(request, "portal/unknown_link.html", {"dealer": link.dealer}, status=410)
    return render(request, "portal/link.html", {"dealer": link.dealer})
