"""Webhook endpoints: create (the secret is shown once), list, delete, rotate, deliveries."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Path, Query, Router, Schema, Status

from samtykke.api.auth import request_dealer
from samtykke.api.errors import ApiError, not_found
from samtykke.api.models import WebhookDelivery, WebhookEndpoint
from samtykke.api.routes.common import ERRORS, IDEMPOTENCY_HEADER
from samtykke.api.schemas import (
    DeliveriesOut,
    DeliveryOut,
    EndpointIn,
    EndpointOut,
    EndpointPatchIn,
    EndpointSecretOut,
)
from samtykke.api.webhooks.delivery import replay
from samtykke.api.webhooks.fanout import ledger_position
from samtykke.api.webhooks.signing import new_secret
from samtykke.tenancy.models import Dealer

router = Router(tags=["webhooks"])

ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_ID = 2**63 - 1
EndpointId = Path(..., ge=1, le=MAX_ID, description="The endpoint's id.")


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ApiError(422, "invalid_url", "The URL must be http(s)://host/….")
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        host = parts.hostname
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if host == "localhost" or (address is not None and not address.is_global):
            raise ApiError(422, "invalid_url", "Webhooks go to public addresses only.")
    return url.strip()


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.is_active,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }


def secret_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "secret": endpoint.secret,
    }


def get_endpoint(dealer: Dealer, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.for_dealer(dealer).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise not_found("webhook_endpoint")
    return endpoint


@router.get(
    "/webhook-endpoints", response={200: list[EndpointOut], **ERRORS}, summary="List endpoints"
)
def list_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    endpoints = WebhookEndpoint.objects.for_dealer(request_dealer(request)).order_by("pk")
    return [endpoint_out(e) for e in endpoints]


@router.post(
    "/webhook-endpoints",
    response={201: EndpointSecretOut, **ERRORS},
    summary="Add an endpoint",
    description="Events that happen from now on are sent to it, signed with the secret "
    "returned here (shown once). Verify with any Standard Webhooks library.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[dict[str, Any]]:
    dealer = request_dealer(request)
    url = check_url(payload.url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            dealer=dealer,
            url=url,
            events=list(dict.fromkeys(payload.events)),
            secret=new_secret(),
            fanned_out_sequence=ledger_position(dealer.pk),
        )
    return Status(201, secret_out(endpoint))


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="Read an endpoint",
)
def read_endpoint(request: HttpRequest, endpoint_id: int = EndpointId) -> dict[str, Any]:
    return endpoint_out(get_endpoint(request_dealer(request), endpoint_id))


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="Change an endpoint's URL or events",
)
def update_endpoint(
    request: HttpRequest, payload: EndpointPatchIn, endpoint_id: int = EndpointId
) -> dict[str, Any]:
    endpoint = get_endpoint(request_dealer(request), endpoint_id)
    if payload.url is not None:
        endpoint.url = check_url(payload.url)
    if payload.events is not None:
        endpoint.events = list(dict.fromkeys(payload.events))
    endpoint.save(update_fields=["url", "events"])
    return endpoint_out(endpoint)


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    response={204: None, **ERRORS},
    summary="Delete an endpoint (and its deliveries)",
)
def delete_endpoint(request: HttpRequest, endpoint_id: int = EndpointId) -> Status[None]:
    get_endpoint(request_dealer(request), endpoint_id).delete()
    return Status(204, None)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response={200: EndpointSecretOut, **ERRORS},
    summary="Rotate the signing secret",
    description="Returns the new secret (shown once). For 24 hours every message carries "
    "signatures with both the new and the old secret.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def rotate_secret(request: HttpRequest, endpoint_id: int = EndpointId) -> dict[str, Any]:
    endpoint = get_endpoint(request_dealer(request), endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return secret_out(endpoint)


@router.post(
    "/webhook-endpoints/{endpoint_id}/enable",
    response={200: EndpointOut, **ERRORS},
    summary="Enable an endpoint again (after a 410)",
    description="Events that happened while it was disabled are sent too, in order.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def enable_endpoint(request: HttpRequest, endpoint_id: int = EndpointId) -> dict[str, Any]:
    endpoint = get_endpoint(request_dealer(request), endpoint_id)
    endpoint.disabled_at, endpoint.disabled_reason = None, ""
    endpoint.save(update_fields=["disabled_at", "disabled_reason"])
    return endpoint_out(endpoint)


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "message_id": delivery.message_id,
        "type": delivery.event_type,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at
        if delivery.state == WebhookDelivery.State.PENDING
        else None,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "payload": delivery.payload,
        "log": [
            {
                "attempted_at": a.attempted_at,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in delivery.log.all()
        ],
    }


class DeliveriesQuery(Schema):
    state: WebhookDelivery.State | None = NinjaField(
        None, description="Only deliveries in this state (e.g. parked)."
    )
    before: int | None = NinjaField(
        None, ge=1, le=MAX_ID, description="A `next_before` from the previous page."
    )
    limit: int = NinjaField(50, ge=1, le=200, description="At most this many (1–200).")


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response={200: DeliveriesOut, **ERRORS},
    summary="Deliveries to an endpoint, with every attempt",
)
def list_deliveries(
    request: HttpRequest, query: Query[DeliveriesQuery], endpoint_id: int = EndpointId
) -> dict[str, Any]:
    dealer = request_dealer(request)
    endpoint = get_endpoint(dealer, endpoint_id)
    deliveries = WebhookDelivery.objects.for_dealer(dealer).filter(endpoint=endpoint)
    if query.state:
        deliveries = deliveries.filter(state=query.state)
    if query.before:
        deliveries = deliveries.filter(pk__lt=query.before)
    page = list(deliveries.order_by("-pk").prefetch_related("log")[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    return {
        "deliveries": [delivery_out(d) for d in page],
        "next_before": page[-1].pk if more else None,
    }


@router.post(
    "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a delivery again",
    description="For a parked delivery (or to resend any): a fresh set of attempts starts now. "
    "The customer's later events follow once it succeeds.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def replay_delivery(
    request: HttpRequest,
    endpoint_id: int = EndpointId,
    delivery_id: int = Path(..., ge=1, le=MAX_ID, description="The delivery's id."),
) -> Status[dict[str, Any]]:
    dealer = request_dealer(request)
    endpoint = get_endpoint(dealer, endpoint_id)
    if not endpoint.is_active:
        raise ApiError(409, "endpoint_disabled", "Enable the endpoint first.")
    delivery = (
        WebhookDelivery.objects.for_dealer(dealer).filter(endpoint=endpoint, pk=delivery_id).first()
    )
    if delivery is None:
        raise not_found("delivery")
    replay(delivery)
    delivery.refresh_from_db()
    return Status(202, delivery_out(delivery))
