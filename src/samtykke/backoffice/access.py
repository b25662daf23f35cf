"""Who may see what in the back office: the staff user's current dealer and role.

Every staff view is wrapped in ``staff_view`` (or ``admin_view``); it resolves
``request.dealer`` (the dealer chosen in this session, or the only one the user belongs to) and
``request.role``. Views then read data only through ``Model.objects.for_dealer(request.dealer)``,
so an object of another dealer is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from samtykke.tenancy.models import Dealer, Membership

SESSION_DEALER = "samtykke_dealer_id"

View = Callable[..., HttpResponse]


def dealers_for(user: Any) -> list[Dealer]:
    if user.is_superuser:
        return list(Dealer.objects.order_by("name"))
    return list(Dealer.objects.filter(memberships__user=user).order_by("name").distinct())


def role_at(user: Any, dealer: Dealer) -> str | None:
    if user.is_superuser:
        return Membership.Role.ADMIN
    membership = Membership.objects.for_dealer(dealer).filter(user=user).first()
    return membership.role if membership else None


def current_dealer(request: HttpRequest) -> Dealer | None:
    """The dealer of this session, if the user may still enter it."""
    user = request.user
    dealer_id = request.session.get(SESSION_DEALER)
    if dealer_id is not None:
        dealer = Dealer.objects.filter(pk=dealer_id).first()
        if dealer is not None and role_at(user, dealer):
            return dealer
    choices = dealers_for(user)
    if len(choices) == 1 and not user.is_superuser:
        request.session[SESSION_DEALER] = choices[0].pk
        return choices[0]
    return None


def choose_dealer(request: HttpRequest, dealer: Dealer) -> None:
    if not role_at(request.user, dealer):
        raise PermissionDenied
    request.session[SESSION_DEALER] = dealer.pk


def staff_view(view: View) -> View:
    """Login required; ``request.dealer`` and ``request.role`` set, or off to the dealer picker."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dealer = current_dealer(request)
        if dealer is None:
            return redirect("backoffice:choose_dealer")
        request.dealer = dealer  # type: ignore[attr-defined]
        request.role = role_at(request.user, dealer)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def admin_view(view: View) -> View:
    """As ``staff_view``, for the dealer's administrators only."""

    @staff_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.role != Membership.Role.ADMIN:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
