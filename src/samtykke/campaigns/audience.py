"""Who a campaign may ask: the dealer's existing customers with no decision yet (mfl. § 15)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from samtykke.consent.models import Channel, ConsentEvent, ConsentState, PersonalLink, Purpose
from samtykke.consent.models import Status as ConsentStatus
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

MIN_AGE_YEARS = 15
RECENT_DECISION = dt.timedelta(days=365)
CHANNELS = ("sms", "email")
# States a campaign may ask again; ``requested`` only when its link has expired.
OPEN_STATES = (ConsentStatus.UNKNOWN, ConsentStatus.EXPIRED)


@dataclass(frozen=True)
class Audience:
    dealer: Dealer
    purpose: Purpose
    channels: tuple[str, ...]
    years: int

    def customers(self) -> QuerySet[Customer]:
        return audience_queryset(self)


def marketing_purpose(dealer: Dealer) -> Purpose:
    purpose = Purpose.objects.for_dealer(dealer).filter(active=True).order_by("order", "pk").first()
    if purpose is None:
        raise LookupError("The dealer has no active purpose to ask for.")
    return purpose


def _years_ago(now: dt.datetime, years: int) -> dt.datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def born_on_or_before(today: dt.date) -> dt.date:
    """The latest birth date of a customer who is at least 15 today."""
    try:
        return today.replace(year=today.year - MIN_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MIN_AGE_YEARS, day=28)


def _undecided(dealer: Dealer, purpose: Purpose, channel: Channel, now: dt.datetime) -> Q:
    """No state for the channel, or one a campaign may ask again."""
    states = ConsentState.objects.for_dealer(dealer).filter(
        customer=OuterRef("pk"), purpose=purpose, channel=channel
    )
    usable_link = PersonalLink.objects.for_dealer(dealer).filter(
        customer=OuterRef("customer_id"), revoked_at__isnull=True, expires_at__gt=now
    )
    askable = states.filter(
        Q(status__in=OPEN_STATES) | Q(Q(status=ConsentStatus.REQUESTED) & ~Exists(usable_link))
    )
    return ~Exists(states) | Exists(askable)


def audience_queryset(audience: Audience) -> QuerySet[Customer]:
    dealer, now = audience.dealer, timezone.now()
    channels = {c.key: c for c in Channel.objects.filter(key__in=audience.channels)}
    today = timezone.localdate(now)
    recent = ConsentEvent.objects.for_dealer(dealer).filter(
        customer=OuterRef("pk"),
        status__in=[ConsentStatus.GIVEN, ConsentStatus.REFUSED],
        occurred_at__gte=now - RECENT_DECISION,
    )
    # A customer holding a live link from a campaign has a question open already.
    live_request = PersonalLink.objects.for_dealer(dealer).filter(
        customer=OuterRef("pk"),
        origin=PersonalLink.Origin.CAMPAIGN,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    undecided = Q(pk__in=[])
    for channel in channels.values():
        undecided |= _undecided(dealer, audience.purpose, channel, now)
    reachable = Q(pk__in=[])
    if "sms" in channels:
        reachable |= Q(mobile_is_valid=True, mobile_is_mobile=True)
    if "email" in channels:
        reachable |= Q(email_is_valid=True)
    return (
        Customer.objects.for_dealer(dealer)
        .filter(
            reachable,
            undecided,
            erased_at__isnull=True,
            last_contact_at__gte=_years_ago(now, audience.years),
        )
        .filter(Q(birth_date__isnull=True) | Q(birth_date__lte=born_on_or_before(today)))
        .exclude(Exists(recent))
        .exclude(Exists(live_request))
    )


def channel_for(customer_can_sms: bool, email_ok: bool, channels: tuple[str, ...]) -> str | None:
    """SMS where the customer has a mobile; e-mail for those without one."""
    if "sms" in channels and customer_can_sms:
        return "sms"
    if "email" in channels and email_ok:
        return "email"
    return None


def sample(audience: Audience, size: int = 10) -> list[Customer]:
    return list(audience.customers().order_by("-last_contact_at", "pk")[:size])
