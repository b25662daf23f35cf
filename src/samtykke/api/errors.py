"""The API's error: a 4xx with a stable ``code``, a ``message`` for people and ``details``."""

from __future__ import annotations

from typing import Any


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


def not_found(what: str = "customer") -> ApiError:
    return ApiError(404, f"{what}_not_found", f"No such {what.replace('_', ' ')}.")
