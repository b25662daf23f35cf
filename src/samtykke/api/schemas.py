"""The shapes of API v1: the contract a DMS integrator codes against. Every field documented."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict


class StrictIn(BaseModel):
    """Request bodies: plain pydantic, so a nested object must really be an object."""

    model_config = ConfigDict(extra="ignore")


EXTERNAL_ID = Field(
    ...,
    min_length=1,
    max_length=64,
    description="The customer's id in the DMS (unique per dealer).",
    examples=["K-104233"],
)


class ErrorOut(Schema):
    code: str = Field(..., description="Stable machine-readable code.", examples=["not_found"])
    message: str = Field(..., description="What went wrong, for people.")
    details: Any = Field(None, description="More about the error (e.g. the invalid fields).")


class AddressIn(StrictIn):
    street: str = Field("", max_length=200, description="Street address.", examples=["Storgata 1"])
    postal_code: str = Field("", max_length=10, description="Postal code.", examples=["9008"])
    city: str = Field("", max_length=100, description="Postal place.", examples=["Tromsø"])


class CustomerIn(StrictIn):
    customer_number: str = Field(
        "", max_length=64, description="The customer number shown in the DMS.", examples=["104233"]
    )
    name: str = Field("", max_length=200, description="Full name.", examples=["Kari Nordmann"])
    mobile: str = Field(
        "",
        max_length=40,
        description="Mobile number; Norwegian if no country code. Kept even when invalid, "
        "with the reason in `problems`.",
        examples=["+47 912 34 567"],
    )
    email: str = Field(
        "", max_length=254, description="E-mail address.", examples=["kari@example.no"]
    )
    birth_date: str | None = Field(
        None,
        max_length=10,
        description="Date of birth, YYYY-MM-DD (used to spot customers under 15). Another form "
        "is an error for this customer (in bulk: for this item only).",
        examples=["1980-05-17"],
    )
    address: AddressIn = Field(
        default_factory=lambda: AddressIn.model_validate({}),
        description="Postal address (all parts optional).",
    )


class AddressOut(Schema):
    street: str = Field(..., description="Street address.")
    postal_code: str = Field(..., description="Postal code.")
    city: str = Field(..., description="Postal place.")


class CustomerOut(Schema):
    external_id: str = Field(
        ..., description="The customer's id in the DMS.", examples=["K-104233"]
    )
    customer_number: str = Field(..., description="The customer number shown in the DMS.")
    name: str = Field(..., description="Full name (empty after erasure).")
    mobile: str = Field(
        ..., description="E.164 when valid (+4791234567), else as given.", examples=["+4791234567"]
    )
    email: str = Field(..., description="Normalized e-mail address, else as given.")
    birth_date: dt.date | None = Field(..., description="Date of birth.")
    address: AddressOut = Field(..., description="Postal address.")
    last_contact_at: dt.datetime | None = Field(
        ..., description="The newest order or visit (what the contact window is computed from)."
    )
    problems: list[str] = Field(
        ...,
        description="Why the customer cannot be reached on a channel, in plain words.",
        examples=[["mobile: not a mobile number (cannot receive SMS)"]],
    )
    erased_at: dt.datetime | None = Field(
        ..., description="When the customer was erased (GDPR art. 17); null otherwise."
    )


class BulkItemIn(CustomerIn):
    external_id: str = EXTERNAL_ID


class BulkIn(StrictIn):
    customers: list[BulkItemIn] = Field(
        ..., min_length=1, max_length=1000, description="1 to 1,000 customers to create or update."
    )


class BulkItemOut(Schema):
    external_id: str = Field(..., description="The item's external id.")
    result: Literal["created", "updated", "unchanged", "error"] = Field(
        ..., description="`created`, `updated`, `unchanged` or `error` (then see `error`)."
    )
    error: ErrorOut | None = Field(None, description="Why this item was not saved.")
    problems: list[str] = Field(
        default_factory=list, description="Reachability problems of the saved customer."
    )


class BulkOut(Schema):
    results: list[BulkItemOut] = Field(..., description="One result per item, in request order.")
    created: int = Field(..., description="How many were created.")
    updated: int = Field(..., description="How many were updated.")
    unchanged: int = Field(..., description="How many were already up to date.")
    errors: int = Field(..., description="How many failed.")


class ContactIn(StrictIn):
    kind: Literal["workshop_order", "vehicle_sale", "parts_sale", "other"] = Field(
        ..., description="What kind of contact this was.", examples=["workshop_order"]
    )
    reference: str = Field(
        "",
        max_length=64,
        description="The order or visit number; a repeat with the same kind and reference "
        "updates the date instead of adding a contact.",
        examples=["WO-55102"],
    )
    occurred_at: dt.datetime = Field(
        ...,
        description="When the order or visit happened (with a time zone; not in the future).",
        examples=["2026-11-30T10:00:00+01:00"],
    )


class ContactOut(Schema):
    kind: str = Field(..., description="What kind of contact this was.")
    reference: str = Field(..., description="The order or visit number.")
    occurred_at: dt.datetime = Field(..., description="When it happened.")
    created: bool = Field(..., description="False when a contact with this reference existed.")
    last_contact_at: dt.datetime | None = Field(..., description="The customer's newest contact.")


DecisionStatus = Literal["given", "refused", "withdrawn"]
DecisionSource = Literal["dms_api", "paper_form", "staff"]


class DecisionIn(StrictIn):
    purpose: str = Field(
        ...,
        max_length=40,
        description="The purpose's key (`marketing` is the default purpose's).",
        examples=["marketing"],
    )
    channel: str = Field(..., max_length=20, description="`sms` or `email`.", examples=["sms"])
    status: DecisionStatus = Field(..., description="The customer's decision.", examples=["given"])
    occurred_at: dt.datetime | None = Field(
        None,
        description="When the customer decided (with a time zone); default: now.",
        examples=["2026-11-30T10:00:00+01:00"],
    )
    notice_version: str | None = Field(
        None,
        max_length=100,
        description="The notice text the customer was shown (its reference `dealer/consent/nb/v3`"
        " or id). Left out: the current version is recorded and marked as assumed.",
        examples=["bilhuset-nord/consent/nb/v1"],
    )
    source: DecisionSource = Field(
        "dms_api",
        description="How the decision was collected: in the DMS, on a paper form, or by staff.",
    )
    actor: str = Field(
        "",
        max_length=150,
        description="Who recorded it in the DMS (e.g. the salesperson's name or user id).",
        examples=["selger: Ola"],
    )
    evidence: dict[str, Any] = Field(
        default_factory=dict,
        description="Proof to keep with the decision (a note, a form reference, a scan id).",
        examples=[{"note": "Signed the form at the counter"}],
    )


class ConsentsIn(StrictIn):
    decisions: list[DecisionIn] = Field(
        ..., min_length=1, max_length=50, description="One decision per purpose and channel."
    )


class ConsentOut(Schema):
    purpose: str = Field(..., description="The purpose's key.", examples=["marketing"])
    channel: str = Field(..., description="The channel.", examples=["sms"])
    status: str = Field(
        ...,
        description="given, refused, withdrawn, unknown (never asked or reset), requested "
        "(a link was sent), pending (awaiting e-mail confirmation) or expired.",
        examples=["given"],
    )
    since: dt.datetime = Field(..., description="When this status was decided.")
    source: str = Field(
        ..., description="How: portal, paper_form, staff, dms_api, sms_reply, gdpr_reset …"
    )


class ConsentsOut(Schema):
    consents: list[ConsentOut] = Field(..., description="The current state per purpose/channel.")


class StateOut(Schema):
    status: str = Field(..., description="The resulting status of this purpose and channel.")
    source: str = Field(..., description="How the resulting status was collected.")
    since: dt.datetime = Field(..., description="When the resulting status was decided.")


class EventOut(Schema):
    sequence: int = Field(..., description="The event's number in the dealer's ledger (gapless).")
    customer: str = Field(..., description="The customer's external id.", examples=["K-104233"])
    purpose: str = Field(..., description="The purpose's key.", examples=["marketing"])
    channel: str = Field(..., description="The channel.", examples=["sms"])
    status: str = Field(..., description="The status this event recorded.", examples=["given"])
    source: str = Field(..., description="How it was collected.", examples=["portal"])
    occurred_at: dt.datetime = Field(..., description="When the customer decided.")
    recorded_at: dt.datetime = Field(..., description="When samtykke recorded it.")
    state: StateOut = Field(
        ...,
        description="The state of this purpose and channel right after this event. It differs "
        "from the event only when an older decision (e.g. a paper form signed earlier) arrives "
        "after a newer one: the newest decision wins. Write this back into the DMS.",
    )


class RecordedOut(Schema):
    recorded: list[EventOut] = Field(..., description="The events appended to the ledger.")
    consents: list[ConsentOut] = Field(..., description="The current state afterwards.")


class FeedOut(Schema):
    events: list[EventOut] = Field(..., description="Events in the dealer's sequence.")
    next_cursor: str = Field(
        ...,
        description="Pass as `after` to continue; opaque. Unchanged when there was nothing new.",
    )


class CheckIn(StrictIn):
    purpose: str = Field("marketing", max_length=40, description="The purpose's key.")
    channel: str = Field(..., max_length=20, description="`sms` or `email`.", examples=["sms"])
    customers: list[str] = Field(
        ...,
        max_length=10000,
        description="Up to 10,000 external ids.",
        examples=[["K-104233", "K-104234"]],
    )


class DeniedOut(Schema):
    customer: str = Field(..., description="The external id.")
    reason: str = Field(
        ...,
        description="not_found, erased, no_consent:<status> (e.g. no_consent:unknown), "
        "no_valid_mobile or no_valid_email.",
        examples=["no_consent:withdrawn"],
    )


class CheckOut(Schema):
    allowed: list[str] = Field(..., description="External ids that may be contacted now.")
    denied: list[DeniedOut] = Field(..., description="The others, each with the reason.")


class LinkOut(Schema):
    url: str = Field(
        ...,
        description="The customer's personal link to change or withdraw consent; put it in "
        "every marketing message.",
        examples=["https://samtykke.example.no/s/3q2…"],
    )
    expires_at: dt.datetime = Field(..., description="When the link stops working.")


WEBHOOK_EVENTS = ("consent.changed", "customer.erased")
WebhookEvent = Literal["consent.changed", "customer.erased"]


def _all_events() -> list[WebhookEvent]:
    return ["consent.changed", "customer.erased"]


class EndpointIn(StrictIn):
    url: str = Field(
        ...,
        max_length=1000,
        description="An https (or http) URL that accepts POSTs.",
        examples=["https://dms.example.no/hooks/samtykke"],
    )
    events: list[WebhookEvent] = Field(
        default_factory=lambda: _all_events(),
        min_length=1,
        description="The event types to send: consent.changed, customer.erased.",
        examples=[["consent.changed"]],
    )


class EndpointPatchIn(StrictIn):
    url: str | None = Field(None, max_length=1000, description="A new URL.")
    events: list[WebhookEvent] | None = Field(
        None, min_length=1, description="A new list of event types."
    )


class EndpointOut(Schema):
    id: int = Field(..., description="The endpoint's id.")
    url: str = Field(..., description="Where events are POSTed.")
    events: list[str] = Field(..., description="The event types sent.")
    active: bool = Field(..., description="False after the receiver answered 410 Gone.")
    disabled_reason: str = Field(..., description="Why it was disabled, if it was.")
    created_at: dt.datetime = Field(..., description="When it was created.")


class EndpointSecretOut(Schema):
    id: int = Field(..., description="The endpoint's id.")
    url: str = Field(..., description="Where events are POSTed.")
    events: list[str] = Field(..., description="The event types sent.")
    secret: str = Field(
        ...,
        description="The signing secret (`whsec_` + base64), shown only now: store it.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class AttemptOut(Schema):
    attempted_at: dt.datetime = Field(..., description="When.")
    status_code: int | None = Field(..., description="The receiver's HTTP status, if any.")
    error: str = Field(..., description="What went wrong (timeout, refused …), if anything.")
    duration_ms: int = Field(..., description="How long the attempt took.")


class DeliveryOut(Schema):
    id: int = Field(..., description="The delivery's id.")
    message_id: str = Field(..., description="The `webhook-id` header (the same on every retry).")
    type: str = Field(..., description="The event type.")
    state: Literal["pending", "sending", "succeeded", "parked"] = Field(
        ...,
        description="pending (waiting for its turn or a retry), sending, succeeded, or parked "
        "(gave up after about a day; replay it).",
    )
    attempts: int = Field(..., description="How many attempts were made.")
    next_attempt_at: dt.datetime | None = Field(..., description="When the next attempt runs.")
    last_error: str = Field(..., description="The last failure.")
    created_at: dt.datetime = Field(..., description="When the event happened.")
    delivered_at: dt.datetime | None = Field(..., description="When it succeeded.")
    payload: dict[str, Any] = Field(..., description="The body sent: {type, timestamp, data}.")
    log: list[AttemptOut] = Field(..., description="Every attempt, oldest first.")


class DeliveriesOut(Schema):
    deliveries: list[DeliveryOut] = Field(..., description="Newest first.")
    next_before: int | None = Field(
        ..., description="Pass as `before` for the next page; null at the end."
    )
