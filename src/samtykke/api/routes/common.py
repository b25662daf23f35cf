"""Helpers shared by the API's routes: finding the dealer's customer, documenting errors."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from samtykke.api.errors import ApiError, not_found
from samtykke.api.schemas import ErrorOut
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

# Every operation documents the error statuses it may answer with, all as ErrorOut.
ERRORS: dict[Any, Any] = {frozenset({400, 401, 404, 405, 409, 413, 415, 422, 429}): ErrorOut}

IDEMPOTENCY_HEADER: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": "Any unique string (e.g. a UUID). A repeat with the same key within "
            "24 hours returns the first answer (header `Idempotent-Replayed: true`) and changes "
            "nothing; the same key with a different body is a 422.",
        }
    ]
}


def get_customer(dealer: Dealer, external_id: str, *, allow_erased: bool = True) -> Customer:
    """The dealer's customer, or a 404 (another dealer's customer is a 404 too, never a 403)."""
    customer = Customer.objects.for_dealer(dealer).filter(external_id=external_id).first()
    if customer is None:
        raise not_found("customer")
    if not allow_erased and customer.is_erased:
        raise ApiError(409, "customer_erased", "The customer was erased.")
    return customer


def fast_json(data: Any, status: int = 200) -> HttpResponse:
    """A JSON answer for the big lists (feed, check), built without a second validation pass;
    its shape is still the documented one (schemathesis checks it against the schema)."""
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
