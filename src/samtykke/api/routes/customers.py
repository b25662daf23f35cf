"""Customers: create/update, read, erase, bulk, contacts, personal link, receipt and form."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from samtykke.api.auth import request_dealer, request_key
from samtykke.api.errors import ApiError
from samtykke.api.routes.common import ERRORS, IDEMPOTENCY_HEADER, get_customer
from samtykke.api.schemas import (
    BulkIn,
    BulkOut,
    ContactIn,
    ContactOut,
    CustomerIn,
    CustomerOut,
    LinkOut,
)
from samtykke.api.upserts import ItemResult, save_customers
from samtykke.consent.actions import Actor, erase_customer
from samtykke.consent.links import issue_personal_link
from samtykke.consent.models import PersonalLink
from samtykke.consent.receipts import build_receipt
from samtykke.customers.models import Customer
from samtykke.customers.services import problems, record_contact
from samtykke.documents.consent_form import FormRequest, render_consent_forms

router = Router(tags=["customers"])

Language = Literal["nb", "nn", "en"]


def customer_out(customer: Customer) -> dict[str, Any]:
    return {
        "external_id": customer.external_id,
        "customer_number": customer.customer_number,
        "name": customer.name,
        "mobile": customer.mobile,
        "email": customer.email,
        "birth_date": customer.birth_date,
        "address": {
            "street": customer.street,
            "postal_code": customer.postal_code,
            "city": customer.city,
        },
        "last_contact_at": customer.last_contact_at,
        "problems": problems(customer),
        "erased_at": customer.erased_at,
    }


def _raise_for(result: ItemResult) -> None:
    if result.result == "error":
        status = 409 if result.code == "customer_erased" else 422
        raise ApiError(status, result.code, result.message)


@router.post(
    "/customers/bulk",
    response={200: BulkOut, **ERRORS},
    summary="Create or update up to 1,000 customers",
    description="One result per item, in order: created, updated, unchanged or error.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def bulk_customers(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    results = save_customers(
        request_dealer(request), [(item.external_id, item) for item in payload.customers]
    )
    out: list[dict[str, Any]] = []
    for r in results:
        item: dict[str, Any] = {"external_id": r.external_id, "result": r.result}
        item["problems"] = r.problems
        item["error"] = {"code": r.code, "message": r.message, "details": None} if r.code else None
        out.append(item)

    def count(kind: str) -> int:
        return sum(1 for r in results if r.result == kind)

    return {
        "results": out,
        "created": count("created"),
        "updated": count("updated"),
        "unchanged": count("unchanged"),
        "errors": count("error"),
    }


@router.put(
    "/customers/{external_id}",
    response={200: CustomerOut, 201: CustomerOut, **ERRORS},
    summary="Create or update a customer",
    description="201 when created (its consents start as `unknown`), 200 when updated.",
)
def put_customer(
    request: HttpRequest, external_id: str, payload: CustomerIn
) -> Status[dict[str, Any]]:
    if not 1 <= len(external_id) <= 64:
        raise ApiError(422, "invalid_customer", "external_id must be 1–64 characters.")
    (result,) = save_customers(request_dealer(request), [(external_id, payload)])
    _raise_for(result)
    assert result.customer is not None
    return Status(201 if result.result == "created" else 200, customer_out(result.customer))


@router.get(
    "/customers/{external_id}", response={200: CustomerOut, **ERRORS}, summary="Read a customer"
)
def get_customer_route(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return customer_out(get_customer(request_dealer(request), external_id))


@router.delete(
    "/customers/{external_id}",
    response={204: None, **ERRORS},
    summary="Erase a customer (GDPR art. 17)",
    description="Removes the personal data; the consent ledger keeps its events without it. "
    "Erasing an erased customer again is a 204 too.",
)
def delete_customer(request: HttpRequest, external_id: str) -> Status[None]:
    dealer = request_dealer(request)
    customer = get_customer(dealer, external_id)
    if not customer.is_erased:
        erase_customer(dealer=dealer, customer=customer, actor=Actor.api(request_key(request)))
    return Status(204, None)


@router.post(
    "/customers/{external_id}/contacts",
    response={201: ContactOut, 200: ContactOut, **ERRORS},
    summary="Add an order or visit",
    description="201 when added; 200 when a contact with this kind and reference existed "
    "(its date is updated).",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def add_contact(
    request: HttpRequest, external_id: str, payload: ContactIn
) -> Status[dict[str, Any]]:
    customer = get_customer(request_dealer(request), external_id, allow_erased=False)
    contact, created = record_contact(
        customer=customer,
        kind=payload.kind,
        reference=payload.reference,
        occurred_at=payload.occurred_at,
    )
    return Status(
        201 if created else 200,
        {
            "kind": contact.kind,
            "reference": contact.reference,
            "occurred_at": contact.occurred_at,
            "created": created,
            "last_contact_at": customer.last_contact_at,
        },
    )


@router.post(
    "/customers/{external_id}/personal-link",
    response={201: LinkOut, **ERRORS},
    summary="A fresh personal link to the customer's consent page",
    description="For the DMS to put in its own messages, so every marketing message carries "
    "a free way to say no.",
    openapi_extra=IDEMPOTENCY_HEADER,
)
def personal_link(request: HttpRequest, external_id: str) -> Status[dict[str, Any]]:
    customer = get_customer(request_dealer(request), external_id, allow_erased=False)
    issued = issue_personal_link(customer=customer, origin=PersonalLink.Origin.API)
    return Status(201, {"url": issued.url, "expires_at": issued.link.expires_at})


class LanguageQuery(Schema):
    language: Language | None = NinjaField(
        None, description="nb, nn or en; default: the dealer's default language."
    )


@router.get(
    "/customers/{external_id}/consent-receipt",
    response={200: dict[str, Any], **ERRORS},
    summary="The consent receipt (JSON)",
    description="Kantara Consent Receipt v1.1 / ISO/IEC TS 27560 fields: the controller, the "
    "current state per purpose and channel, and every record with its notice and evidence.",
)
def consent_receipt(
    request: HttpRequest, external_id: str, query: Query[LanguageQuery]
) -> dict[str, Any]:
    dealer = request_dealer(request)
    customer = get_customer(dealer, external_id)
    return build_receipt(dealer, customer, query.language or dealer.default_language)


class FormQuery(Schema):
    order: str = NinjaField(
        "", max_length=64, description="The order reference printed on the form."
    )
    language: Language | None = NinjaField(
        None, description="nb, nn or en; default: the dealer's default language."
    )


@router.get(
    "/customers/{external_id}/consent-form.pdf",
    response=ERRORS,  # 200 (a PDF) is documented below
    summary="The printable consent form (PDF)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "An A4 PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def consent_form(request: HttpRequest, external_id: str, query: Query[FormQuery]) -> HttpResponse:
    dealer = request_dealer(request)
    customer = get_customer(dealer, external_id, allow_erased=False)
    pdf = render_consent_forms(
        dealer=dealer,
        requests=[FormRequest(customer, query.order, query.language)],
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="samtykke-{customer.pk}.pdf"'
    return response
