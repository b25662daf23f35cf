"""Which of up to 10,000 customers may be contacted on a channel now, and why not the rest."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, FilteredRelation, Q

from samtykke.api.errors import ApiError
from samtykke.consent.models import Channel, Purpose, Status
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
    # One LEFT JOIN per chunk: the customer and its state for this purpose and channel.
    found: dict[str, tuple[bool, bool, str | None]] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = (
            Customer.objects.for_dealer(dealer)
            .filter(external_id__in=wanted[start : start + CHUNK])
            .annotate(
                erased=ExpressionWrapper(Q(erased_at__isnull=False), BooleanField()),
                state=FilteredRelation(
                    "consent_states",
                    condition=Q(consent_states__purpose=purpose, consent_states__channel=channel),
                ),
            )
            .values_list(
                "external_id",
                "erased",
                "mobile_is_valid",
                "mobile_is_mobile",
                "email_is_valid",
                "state__status",
            )
        )
        for ext, erased, mobile_ok, mobile_is_mobile, email_ok, status in rows:
            reachable = (mobile_ok and mobile_is_mobile) if channel.key == "sms" else email_ok
            found[ext] = (bool(erased), bool(reachable), status)
    allowed: list[str] = []
    denied: list[tuple[str, str]] = []
    address = {"sms": "no_valid_mobile", "email": "no_valid_email"}.get(
        channel.key, f"no_valid_{channel.key}"
    )
    for ext in wanted:
        if ext not in found:
            denied.append((ext, "not_found"))
            continue
        is_erased, reachable, state = found[ext]
        status = state or Status.UNKNOWN
        if is_erased:
            denied.append((ext, "erased"))
        elif status != Status.GIVEN:
            denied.append((ext, f"no_consent:{status}"))
        elif not reachable:
            denied.append((ext, address))
        else:
            allowed.append(ext)
    return allowed, denied
