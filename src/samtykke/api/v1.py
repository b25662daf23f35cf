"""Webservice v1 for the DMS (Django Ninja). Errors are JSON ``{"code", "message", "details"}``."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from samtykke.api.auth import ApiKeyAuth

api = NinjaAPI(
    title="samtykke API",
    version="1",
    description=(
        "Webservice for the dealer management system (DMS): customers, orders and visits, "
        "consent decisions, the change feed, consent checks and webhooks. "
        "Authenticate with `Authorization: Bearer <api key>`; every call is scoped to the "
        "key's dealer."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
)


class ApiError(Exception):
    """A 4xx with a stable ``code`` for the caller's program and a ``message`` for its people."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details
        self.headers = headers or {}


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
    return error_response(request, 422, "invalid_request", "The request is not valid.", exc.errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthorized", "A valid API key is required: Authorization: Bearer <key>."
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


# Each area adds its routes as a Router in ``samtykke.<area>.api`` (``router`` and ``PREFIX``).
for _area in ("customers", "consent", "campaigns", "messaging"):
    _name = f"samtykke.{_area}.api"
    if importlib.util.find_spec(_name) is not None:
        _module = importlib.import_module(_name)
        api.add_router(_module.PREFIX, _module.router)
