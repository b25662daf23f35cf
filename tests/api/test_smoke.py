from __future__ import annotations

from tests.api.conftest import ApiClient


def test_put_get_customer(api: ApiClient) -> None:
    r = api.put(
        "customers/K-1",
        {
            "name": "Kari",
            "mobile": "91234567",
            "email": "kari@example.no",
            "birth_date": "1980-05-17",
            "address": {"city": "Tromsø"},
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["mobile"] == "+4791234567"
    r = api.get("customers/K-1/consents")
    assert r.status_code == 200, r.content
    assert {c["status"] for c in r.json()["consents"]} == {"unknown"}
    r = api.get("consent-events")
    assert r.status_code == 200, r.content
    print(r.json())
