"""Idempotency keys, rate limiting, and the OpenAPI document and its docs page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, override_settings

from samtykke.api import ratelimit
from samtykke.consent.models import ConsentEvent
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.api.conftest import ApiClient

DECISION = {"decisions": [{"purpose": "marketing", "channel": "sms", "status": "given"}]}


def test_a_repeated_idempotency_key_returns_the_first_answer(
    api: ApiClient, dealer: Dealer, customer: Customer
) -> None:
    path = f"customers/{customer.external_id}/consents"
    key = {"Idempotency-Key": "0b6a3c1e-first"}
    first = api.post(path, DECISION, headers=key)
    assert first.status_code == 201
    count = ConsentEvent.objects.for_dealer(dealer).count()
    again = api.post(path, DECISION, headers=key)
    assert again.status_code == 201 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert ConsentEvent.objects.for_dealer(dealer).count() == count
    other = api.post(
        path, {"decisions": [{**DECISION["decisions"][0], "status": "refused"}]}, headers=key
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    fresh = api.post(path, DECISION, headers={"Idempotency-Key": "second"})
    assert fresh.status_code == 201
    assert ConsentEvent.objects.for_dealer(dealer).count() == count + 1


def test_idempotency_keys_are_per_dealer_and_errors_are_kept(
    api: ApiClient, other_api: ApiClient, customer: Customer, other_customer: Customer
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    a = api.post(f"customers/{customer.external_id}/consents", DECISION, headers=key)
    b = other_api.post(f"customers/{other_customer.external_id}/consents", DECISION, headers=key)
    assert a.status_code == b.status_code == 201
    assert a.json()["recorded"][0]["sequence"] != 0 and b.content != a.content
    bad = {"decisions": [{"purpose": "nope", "channel": "sms", "status": "given"}]}
    key = {"Idempotency-Key": "bad-one"}
    r1 = api.post(f"customers/{customer.external_id}/consents", bad, headers=key)
    r2 = api.post(f"customers/{customer.external_id}/consents", bad, headers=key)
    assert r1.status_code == r2.status_code == 422 and r2["Idempotent-Replayed"] == "true"


@override_settings(API_RATE_LIMIT_PER_MINUTE=5)
def test_rate_limit_is_per_key_with_retry_after(api: ApiClient, other_api: ApiClient) -> None:
    codes = [api.get("consent-events").status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    r = api.get("consent-events")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert 1 <= int(r["Retry-After"]) <= 60
    assert other_api.get("consent-events").status_code == 200


@pytest.mark.django_db
def test_rate_limit_windows_in_redis(api_key: str) -> None:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/3")
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    client.flushdb()
    ratelimit._redis.cache_clear()
    with override_settings(
        API_RATE_LIMIT_STORE="redis",
        REDIS_URL="redis://127.0.0.1:6379/3",
        API_RATE_LIMIT_PER_MINUTE=3,
    ):
        verdicts = [ratelimit.hit(4242, now=1_000_000.0) for _ in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        assert verdicts[-1].retry_after == 20  # 1,000,000 is 40 s into its minute
        assert ratelimit.hit(4242, now=1_000_020.5).allowed  # the next window
    ratelimit._redis.cache_clear()
    client.flushdb()


def test_openapi_documents_every_field(db: None) -> None:
    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys in {keys}"
        return dict(pairs)

    raw = Client().get("/api/v1/openapi.json").content
    schema = json.loads(raw, object_pairs_hook=no_duplicates)
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    ops = [op for item in schema["paths"].values() for op in item.values()]
    assert all(op.get("security") for op in ops)
    assert "/api/v1/consent-events" in schema["paths"]


def test_docs_page_loads_nothing_from_outside(db: None) -> None:
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, html
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), url
        assert client.get(url).status_code == 200, url


def test_a_key_still_running_is_a_409_and_an_abandoned_one_is_taken_over(
    api: ApiClient, dealer: Dealer, customer: Customer
) -> None:
    import datetime as dt

    from django.test import RequestFactory
    from django.utils import timezone

    from samtykke.api.idempotency import _fingerprint
    from samtykke.api.models import IdempotencyRecord

    path = f"/api/v1/customers/{customer.external_id}/consents"
    body = json.dumps(DECISION)
    fake = RequestFactory().post(path, body, content_type="application/json")
    record = IdempotencyRecord.objects.create(
        dealer=dealer, key="running", fingerprint=_fingerprint(fake)
    )
    r = api.post(path, DECISION, headers={"Idempotency-Key": "running"})
    assert r.status_code == 409 and r["Retry-After"] == "1"
    assert r.json()["code"] == "idempotency_key_in_progress"
    IdempotencyRecord.objects.for_dealer(dealer).filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    r = api.post(path, DECISION, headers={"Idempotency-Key": "running"})
    assert r.status_code == 201
    record.refresh_from_db()
    assert record.status_code == 201
