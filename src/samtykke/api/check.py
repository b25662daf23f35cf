"""Which of up to 10,000 customers may be contacted on a channel now, and why not the rest."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q

from samtykke.api.errors import ApiError
from samtykke.consent.models import Channel, ConsentState, Purpose, Status
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

CHUNK = 2000  # well under SQLite's limit of bound parameters


def check_contact(
    dealer: Dealer, purpose_key: str, channel_key: str, external_ids: list[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    purpose = Purpose.objects.for_dealer(dealer).filter(key=purpose_key, active=True).first()
    if purpose is None:
        raise ApiError(422, "unknown_purpose", f"Unknown purpose {purpose_key!r}.")
    channel = Channel.objects.filter(key=channel_key, purposes=purpose).first()
    if channel is None:
        raise ApiError(
            422,
            "unknown_channel",
            f"Channel {channel_key!r} is not offered for purpose {purpose_key!r}.",
        )
    wanted = list(dict.fromkeys(external_ids))
    customers: dict[str, tuple[int, bool, bool]] = {}
    statuses: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for ext, pk, erased, mobile_ok, mobile_is_mobile, email_ok in (
            Customer.objects.for_dealer(dealer)
            .filter(external_id__in=chunk)
            .annotate(erased=ExpressionWrapper(Q(erased_at__isnull=False), BooleanField()))
            .values_list(
                "external_id",
                "pk",
                "erased",
                "mobile_is_valid",
                "mobile_is_mobile",
                "email_is_valid",
            )
        ):
            reachable = (mobile_ok and mobile_is_mobile) if channel.key == "sms" else email_ok
            customers[ext] = (pk, bool(erased), reachable)
    pks = [found[0] for found in customers.values()]
    for start in range(0, len(pks), CHUNK):
        statuses.update(
            ConsentState.objects.for_dealer(dealer)
            .filter(purpose=purpose, channel=channel, customer_id__in=pks[start : start + CHUNK])
            .values_list("customer_id", "status")
        )
    allowed: list[str] = []
    denied: list[tuple[str, str]] = []
    address = {"sms": "no_valid_mobile", "email": "no_valid_email"}.get(
        channel.key, f"no_valid_{channel.key}"
    )
    for ext in wanted:
        found = customers.get(ext)
        if found is None:
            denied.append((ext, "not_found"))
            continue
        pk, is_erased, reachable = found
        status = statuses.get(pk, Status.UNKNOWN)
        if is_erased:
            denied.append((ext, "erased"))
        elif status != Status.GIVEN:
            denied.append((ext, f"no_consent:{status}"))
        elif not reachable:
            denied.append((ext, address))
        else:
            allowed.append(ext)
    return allowed, denied
