"""Logging in and out, and choosing the dealer to work for."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from samtykke.backoffice.access import SESSION_DEALER, choose_dealer, dealers_for
from samtykke.backoffice.forms import LoginForm
from samtykke.tenancy.models import Dealer

login_view = auth_views.LoginView.as_view(
    template_name="backoffice/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view(next_page="backoffice:login")


@require_http_methods(["GET", "POST"])
def choose_dealer_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("backoffice:login")
    if request.method == "POST":
        choose_dealer(request, get_object_or_404(Dealer, pk=request.POST.get("dealer")))
        return redirect("backoffice:home")
    dealers = dealers_for(request.user)
    query = request.GET.get("q", "").strip()[:100]
    if query and request.user.is_superuser:
        dealers = list(
            Dealer.objects.filter(Q(name__icontains=query) | Q(slug__icontains=query)).order_by(
                "name"
            )[:200]
        )
    return render(
        request,
        "backoffice/choose_dealer.html",
        {
            "dealers": dealers[:200],
            "query": query,
            "current": request.session.get(SESSION_DEALER),
            "vendor": request.user.is_superuser,
        },
    )
