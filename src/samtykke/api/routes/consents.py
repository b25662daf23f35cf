"""Consent: the current state, decisions made in the DMS, the change feed and the check."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from samtykke.api.auth import request_dealer, request_key
from samtykke.api.check import check_contact
from samtykke.api.errors import ApiError
from samtykke.api.feed import decode_cursor, encode_cursor, events_by_id, read_feed
from samtykke.api.routes.common import ERRORS, IDEMPOTENCY_HEADER, fast_json, get_customer
from samtykke.api.schemas import CheckIn, CheckOut, ConsentsIn, ConsentsOut, FeedOut, RecordedOut
from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.selectors import current_states
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

router = Router(tags=["consent"])


def consents_out(dealer: Dealer, customer: Customer) -> list[dict[str, Any]]:
    return [
        {
            "purpose": s.purpose.key,
            "channel": s.channel.key,
            "status": s.status,
            "since": s.since,
            "source": s.source,
        }
        for s in current_states(dealer, customer)
    ]


@router.get(
    "/customers/{external_id}/consents",
    response={200: ConsentsOut, **ERRORS},
    summary="The current consent per purpose and channel",
)
def get_consents(request: HttpRequest, external_id: str) -> dict[str, Any]:
    dealer = request_dealer(request)
    return {"consents": consents_out(dealer, get_customer(dealer, external_id))}


@router.post(
    "/customers/{external_id}/consents",
    response={201: RecordedOut, **ERRORS},
    summary="Record decisions made in the DMS",
    description="All decisions are recorded in one transaction, or none. The newest decision "
    "wins: one that happened before the current state is kept in the ledger without changing "
    "the state.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def post_consents(
    request: HttpRequest, external_id: str, payload: ConsentsIn
) -> Status[dict[str, Any]]:
    dealer = request_dealer(request)
    customer = get_customer(dealer, external_id, allow_erased=False)
    pairs = [(d.purpose, d.channel) for d in payload.decisions]
    if len(set(pairs)) != len(pairs):
        raise ApiError(422, "duplicate_decision", "Two decisions for one purpose and channel.")
    key = request_key(request)
    ids: list[int] = []
    with transaction.atomic():
        for d in payload.decisions:
            label = f"API key {key.prefix}" + (f": {d.actor}" if d.actor else "")
            events = record_consent(
                dealer=dealer,
                customer=customer,
                decisions=[Decision(d.purpose, d.channel, d.status)],
                source=d.source,
                actor=Actor.api(key, label=label),
                occurred_at=d.occurred_at,
                notice_version=d.notice_version,
                evidence=d.evidence,
            )
            ids.extend(e.pk for e in events)
    return Status(
        201,
        {
            "recorded": events_by_id(dealer, ids),
            "consents": consents_out(dealer, customer),
        },
    )


class FeedQuery(Schema):
    after: str | None = NinjaField(
        None,
        max_length=100,
        description="A `next_cursor` from an earlier page; leave out to start from the beginning.",
    )
    limit: int = NinjaField(100, ge=1, le=1000, description="At most this many events (1–1000).")


@router.get(
    "/consent-events",
    response={200: FeedOut, **ERRORS},
    summary="The change feed",
    description="Every consent event of the dealer in order, each with the customer's external "
    "id and the resulting state. Keep `next_cursor` and pass it as `after`: no event is ever "
    "skipped, even one that commits late, and none comes twice.",
)
def consent_events(request: HttpRequest, query: Query[FeedQuery]) -> HttpResponse:
    after = decode_cursor(query.after)
    events, last = read_feed(request_dealer(request), after, query.limit)
    # Built here, not validated again against FeedOut: a page holds up to 1,000 events.
    return fast_json({"events": events, "next_cursor": encode_cursor(last)})


@router.post(
    "/consents/check",
    response={200: CheckOut, **ERRORS},
    summary="Which customers may be contacted now",
    description="Allowed only with consent `given` and a usable address on the channel. Reasons "
    "for the rest: not_found, erased, no_consent:<status>, no_valid_mobile, no_valid_email.",
)
def check(request: HttpRequest, payload: CheckIn) -> HttpResponse:
    allowed, denied = check_contact(
        request_dealer(request), payload.purpose, payload.channel, payload.customers
    )
    return fast_json(
        {"allowed": allowed, "denied": [{"customer": c, "reason": r} for c, r in denied]}
    )
