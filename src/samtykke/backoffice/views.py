"""Staff pages (the back office). Placeholder pages until the back-office work lands."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from samtykke.backoffice.access import choose_dealer, dealers_for, staff_view
from samtykke.tenancy.models import Dealer


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html")


@require_http_methods(["GET", "POST"])
def choose_dealer_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("/admin/login/?next=/")
    if request.method == "POST":
        choose_dealer(request, get_object_or_404(Dealer, pk=request.POST.get("dealer")))
        return redirect("backoffice:home")
    return render(request, "backoffice/choose_dealer.html", {"dealers": dealers_for(request.user)})
