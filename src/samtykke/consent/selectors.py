"""Reading consent: the current view and what it allows."""

from __future__ import annotations

from django.db.models import QuerySet

from samtykke.consent.models import ConsentEvent, ConsentState, Status
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer


def current_states(dealer: Dealer, customer: Customer) -> QuerySet[ConsentState]:
    return (
        ConsentState.objects.for_dealer(dealer)
        .filter(customer=customer)
        .select_related("purpose", "channel", "event", "event__actor_user")
        .order_by("purpose__order", "channel__order")
    )


def history(dealer: Dealer, customer: Customer) -> QuerySet[ConsentEvent]:
    return (
        ConsentEvent.objects.for_dealer(dealer)
        .filter(customer=customer)
        .select_related(
            "purpose", "channel", "notice_version__notice", "notice_version__dealer", "actor_user"
        )
        .order_by("-sequence")
    )


def may_contact(state_status: str | None) -> bool:
    """Only a given consent allows electronic marketing (mfl. § 15)."""
    return state_status == Status.GIVEN
