"""Fixtures for the API tests: an HTTP client that speaks Bearer and JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as DjangoClient


class ApiClient:
    """Django's test client with ``Authorization: Bearer <key>`` and JSON bodies."""

    def __init__(self, key: str | None) -> None:
        self.client: DjangoClient = Client()
        self.key = key

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        headers.update(extra or {})
        return headers

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        data = json.dumps(body) if body is not None else None
        return self.client.generic(
            method,
            url,
            data=data or "",
            content_type="application/json",
            headers=self.headers(headers),
        )

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body if body is not None else {}, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(api_key: str) -> ApiClient:
    return ApiClient(api_key)


@pytest.fixture
def other_api(other_api_key: str) -> ApiClient:
    return ApiClient(other_api_key)
