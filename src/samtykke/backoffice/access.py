"""Who may see what in the back office: the staff user's current dealer and role.

Every staff view is wrapped in ``staff_view`` (or ``admin_view``); it resolves
``request.dealer`` (the dealer chosen in this session, or the only one the user belongs to) and
``request.role``. Views then read data only through ``Model.objects.for_dealer(request.dealer)``,
so an object of another dealer is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from samtykke.tenancy.models import Dealer, Membership

SESSION_DEALER = "samtykke_dealer_id"

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


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
    found = dealer_and_role(request)
    return found[0] if found else None


def dealer_and_role(request: HttpRequest) -> tuple[Dealer, str] | None:
    """The session's dealer and the user's role there (one query each), or None to pick one."""
    user = request.user
    dealer_id = request.session.get(SESSION_DEALER)
    if dealer_id is not None:
        dealer = Dealer.objects.filter(pk=dealer_id).first()
        role = role_at(user, dealer) if dealer is not None else None
        if dealer is not None and role:
            return dealer, role
    if user.is_superuser:
        return None
    memberships = list(
        Membership.all_dealers.filter(user_id=user.pk or 0)
        .select_related("dealer")
        .order_by("dealer__name")[:2]
    )
    if len(memberships) == 1:
        request.session[SESSION_DEALER] = memberships[0].dealer_id
        return memberships[0].dealer, memberships[0].role
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
        found = dealer_and_role(request)
        if found is None:
            return redirect("backoffice:choose_dealer")
        request.dealer, request.role = found  # type: ignore[attr-defined]
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


def dealer_of(request: HttpRequest) -> Dealer:
    """The dealer ``staff_view`` resolved for this request."""
    dealer = getattr(request, "dealer", None)
    if not isinstance(dealer, Dealer):
        raise PermissionDenied
    return dealer


def is_admin(request: HttpRequest) -> bool:
    return getattr(request, "role", None) == Membership.Role.ADMIN


def dealer_object(request: HttpRequest, model: type[M], **lookup: Any) -> M:
    """One of this dealer's objects, or 404 (another dealer's object is never a 403)."""
    found = model.objects.for_dealer(dealer_of(request)).filter(**lookup).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404(f"No such {model._meta.verbose_name}.")
    return found
