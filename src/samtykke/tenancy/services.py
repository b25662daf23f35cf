"""Writes to dealers, staff and keys (the consent ledger has its own actions)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction

from samtykke.tenancy.models import Dealer, Membership


@transaction.atomic
def create_dealer(
    *,
    name: str,
    org_number: str,
    slug: str,
    consent_option: str = Dealer.ConsentOption.MANUAL,
    **fields: object,
) -> Dealer:
    """Create a dealer with its default purpose and notices, validated as a whole."""
    from samtykke.consent.setup import install_defaults

    dealer = Dealer(name=name, org_number=org_number, slug=slug, consent_option=consent_option)
    for key, value in fields.items():
        setattr(dealer, key, value)
    dealer.full_clean()
    dealer.save()
    install_defaults(dealer)
    return dealer


@transaction.atomic
def add_staff_user(
    *, dealer: Dealer, email: str, role: str = Membership.Role.STAFF, password: str | None = None
) -> tuple[AbstractUser, str | None]:
    """Create (or reuse) a user by e-mail and give them a role at the dealer.

    Returns the user and the one-time password made for them, if one was made.
    """
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(username=email).first()
    generated: str | None = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = User.objects.create_user(username=email, email=email, password=password or generated)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.all_dealers.update_or_create(dealer=dealer, user=user, defaults={"role": role})
    return user, generated


def dealers_for_user(user: Any) -> list[Dealer]:
    """The dealers a user may enter: their memberships, or every dealer for vendor operators."""
    if user.is_superuser:
        return list(Dealer.objects.all())
    return list(Dealer.objects.filter(memberships__user=user).distinct())
