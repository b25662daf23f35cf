"""Webservice v1 for the DMS (Django Ninja). Errors are JSON ``{"code", "message", "details"}``.

The API's own routes live in ``samtykke.api.routes``; each other area may add routes as a
Router in ``samtykke.<area>.api`` (``router`` and ``PREFIX``), mounted here.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from samtykke.api.auth import ApiKeyAuth
from samtykke.api.errors import ApiError
from samtykke.api.idempotency import idempotent
from samtykke.api.routes import consents, customers, webhooks
from samtykke.consent.actions import ConsentError
from samtykke.customers.services import CustomerError

__all__ = ["ApiError", "api", "error_response"]

api = NinjaAPI(
    title="samtykke API",
    version="1",
    description=(
        "Webservice for the dealer management system (DMS): customers, orders and visits, "
        "consent decisions, the change feed, consent checks and webhooks.\n\n"
        "* Authenticate with `Authorization: Bearer <api key>`; every call is scoped to the "
        "key's dealer. An unknown or revoked key gets 401; another dealer's objects are 404.\n"
        '* Errors are JSON `{"code", "message", "details"}` with a 4xx for anything the '
        "caller got wrong.\n"
        "* POSTs accept an `Idempotency-Key` header: a repeat returns the first answer.\n"
        "* Each key is rate limited per minute: a 429 carries `Retry-After` (seconds).\n"
        "* Webhooks follow the Standard Webhooks specification (`webhook-id`, "
        "`webhook-timestamp`, `webhook-signature`)."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _invalid(message: str) -> HttpResponse:
    return JsonResponse(
        {"code": "invalid_request", "message": message, "details": None}, status=422
    )


def clean_input(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A body, when there is one, must be a JSON object (Ninja would read ``[]`` as ``{}``),
    and no text may hold a NUL character (PostgreSQL cannot store one)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _has_nul(request.path) or _has_nul(dict(request.GET.lists())):
            return _invalid("NUL characters are not allowed.")
        if request.method in ("POST", "PUT", "PATCH") and request.body.strip():
            try:
                body = json.loads(request.body)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return _invalid("The body must be a JSON object.")
            if _has_nul(body):
                return _invalid("NUL characters are not allowed.")
        return view(request, *args, **kwargs)

    return wrapper


# The last added wraps outermost: an idempotent replay needs no parsing.
api.add_decorator(clean_input, mode="view")
api.add_decorator(idempotent, mode="view")


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details}, status=status
    )


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = error_response(request, exc.status, exc.code, exc.message, exc.details)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {k: v for k, v in error.items() if k in ("loc", "msg", "type")} for error in exc.errors
    ]
    return error_response(request, 422, "invalid_request", "The request is not valid.", details)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, 401, "unauthorized", "A valid API key is required: Authorization: Bearer <key>."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "invalid_request" if exc.status_code < 500 else "error"
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(ConsentError)
def _consent_error(request: HttpRequest, exc: ConsentError) -> HttpResponse:
    status = {"customer_not_found": 404, "customer_erased": 409}.get(exc.code, 422)
    return error_response(request, status, exc.code, exc.message)


@api.exception_handler(CustomerError)
def _customer_error(request: HttpRequest, exc: CustomerError) -> HttpResponse:
    return error_response(request, 422, "invalid_customer", str(exc))


api.add_router("", customers.router)
api.add_router("", consents.router)
api.add_router("", webhooks.router)

# Each area adds its routes as a Router in ``samtykke.<area>.api`` (``router`` and ``PREFIX``).
for _area in ("customers", "consent", "campaigns", "messaging"):
    _name = f"samtykke.{_area}.api"
    if importlib.util.find_spec(_name) is not None:
        _module = importlib.import_module(_name)
        api.add_router(_module.PREFIX, _module.router)
