"""Customers through the API: create, read, erase, bulk, contacts, link, receipt and form."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from samtykke.consent.models import ConsentEvent, ConsentState, PersonalLink
from samtykke.customers.models import Contact, Customer
from samtykke.tenancy.models import Dealer
from tests.api.conftest import ApiClient

KARI = {
    "customer_number": "104233",
    "name": "Kari Nordmann",
    "mobile": "912 34 567",
    "email": "Kari@Example.no",
    "birth_date": "1980-05-17",
    "address": {"street": "Storgata 1", "postal_code": "9008", "city": "Tromsø"},
}


def test_put_creates_then_updates_and_get_reads(api: ApiClient, dealer: Dealer) -> None:
    r = api.put("customers/K-1", KARI)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["external_id"] == "K-1"
    assert body["mobile"] == "+4791234567"
    assert body["email"] == "Kari@example.no"
    assert body["address"] == KARI["address"]
    assert body["problems"] == [] and body["last_contact_at"] is None
    states = ConsentState.objects.for_dealer(dealer).filter(customer__external_id="K-1")
    assert {s.status for s in states} == {"unknown"} and states.count() == 2

    r = api.put("customers/K-1", {**KARI, "mobile": "22 33 44 55"})
    assert r.status_code == 200
    assert r.json()["problems"] == ["mobile: not a mobile number (cannot receive SMS)"]
    assert ConsentEvent.objects.for_dealer(dealer).count() == 2  # no second reset

    r = api.get("customers/K-1")
    assert r.status_code == 200 and r.json()["name"] == "Kari Nordmann"
    assert api.get("customers/nobody").status_code == 404


def test_bad_input_is_a_4xx_with_code_message_details(api: ApiClient) -> None:
    r = api.put("customers/K-1", {**KARI, "birth_date": "1980-02-30"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_customer"
    r = api.put("customers/K-1", {**KARI, "birth_date": "17.05.1980"})
    assert r.status_code == 422 and "birth_date" in r.json()["message"]
    r = api.put("customers/K-1", {**KARI, "name": "x" * 201})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    assert r.json()["details"][0]["loc"][-1] == "name"
    r = api.client.put(
        "/api/v1/customers/K-1",
        data="{not json",
        content_type="application/json",
        headers=api.headers(),
    )
    assert r.status_code in (400, 422) and set(r.json()) == {"code", "message", "details"}
    r = api.put("customers/" + "x" * 65, KARI)
    assert r.status_code == 422


def test_delete_erases_but_keeps_the_ledger(
    api: ApiClient, dealer: Dealer, customer: Customer
) -> None:
    events = ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).count()
    assert api.delete(f"customers/{customer.external_id}").status_code == 204
    customer.refresh_from_db()
    assert customer.is_erased and customer.name == "" and customer.mobile == ""
    assert ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).count() == events
    assert not Contact.objects.for_dealer(dealer).filter(customer=customer).exists()
    assert api.delete(f"customers/{customer.external_id}").status_code == 204
    body = api.get(f"customers/{customer.external_id}").json()
    assert body["erased_at"] and body["name"] == ""
    r = api.put(f"customers/{customer.external_id}", KARI)
    assert r.status_code == 409 and r.json()["code"] == "customer_erased"
    r = api.post(f"customers/{customer.external_id}/personal-link")
    assert r.status_code == 409


def test_bulk_gives_a_result_per_item(api: ApiClient, dealer: Dealer, customer: Customer) -> None:
    items = [
        {"external_id": "B-1", **KARI},
        {"external_id": "B-2", "name": "Ola", "mobile": "not a number"},
        {"external_id": "B-1", "name": "twice"},
        {"external_id": "B-3", "birth_date": "2001-13-01"},
        {"external_id": customer.external_id, "name": "Kari Updated"},
    ]
    r = api.post("customers/bulk", {"customers": items})
    assert r.status_code == 200, r.content
    body = r.json()
    results = [(x["external_id"], x["result"]) for x in body["results"]]
    assert results == [
        ("B-1", "created"),
        ("B-2", "created"),
        ("B-1", "error"),
        ("B-3", "error"),
        (customer.external_id, "updated"),
    ]
    assert body["results"][1]["problems"][0].startswith("mobile: not a phone number")
    assert body["results"][2]["error"]["code"] == "duplicate_in_request"
    assert body["results"][3]["error"]["code"] == "invalid_customer"
    assert (body["created"], body["updated"], body["errors"]) == (2, 1, 2)
    assert ConsentState.objects.for_dealer(dealer).filter(customer__external_id="B-2").count() == 2
    again = api.post("customers/bulk", {"customers": items[:2]}).json()
    assert [x["result"] for x in again["results"]] == ["unchanged", "unchanged"]
    too_many = [{"external_id": f"X-{i}"} for i in range(1001)]
    r = api.post("customers/bulk", {"customers": too_many})
    assert r.status_code == 422
    assert not Customer.objects.for_dealer(dealer).filter(external_id="X-1").exists()


def test_contacts(api: ApiClient, customer: Customer) -> None:
    when = "2026-11-01T10:00:00+01:00"
    body = {"kind": "vehicle_sale", "reference": "S-9", "occurred_at": when}
    r = api.post(f"customers/{customer.external_id}/contacts", body)
    assert r.status_code == 201, r.content
    assert r.json()["last_contact_at"].startswith("2026-11-01T09:00:00")
    r = api.post(f"customers/{customer.external_id}/contacts", body)
    assert r.status_code == 200 and r.json()["created"] is False
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    r = api.post(f"customers/{customer.external_id}/contacts", {**body, "occurred_at": future})
    assert r.status_code == 422 and r.json()["code"] == "invalid_customer"
    r = api.post(f"customers/{customer.external_id}/contacts", {**body, "kind": "lunch"})
    assert r.status_code == 422
    r = api.post(
        f"customers/{customer.external_id}/contacts", {**body, "occurred_at": "2026-11-01T10:00"}
    )
    assert r.status_code == 422 and "time zone" in r.json()["message"]


def test_personal_link_receipt_and_form(api: ApiClient, dealer: Dealer, customer: Customer) -> None:
    r = api.post(f"customers/{customer.external_id}/personal-link")
    assert r.status_code == 201
    assert r.json()["url"].startswith("http://testserver/s/")
    link = PersonalLink.objects.for_dealer(dealer).get(customer=customer)
    assert link.origin == "api" and link.is_usable
    r = api.get(f"customers/{customer.external_id}/consent-receipt?language=en")
    assert r.status_code == 200
    receipt = r.json()
    assert receipt["controller"]["organisation_number"] == dealer.org_number
    assert receipt["data_subject"]["external_id"] == customer.external_id
    r = api.get(f"customers/{customer.external_id}/consent-form.pdf?order=WO-77")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert (
        api.get(f"customers/{customer.external_id}/consent-receipt?language=de").status_code == 422
    )


def test_nul_characters_are_a_4xx_everywhere(api: ApiClient, customer: Customer) -> None:
    assert api.put("customers/K-1", {**KARI, "name": "Kari\x00"}).status_code == 422
    assert api.get("customers/K%00-1").status_code == 422
    assert api.get("consent-events?after=a%00").status_code == 422
    body = {"customers": [{"external_id": "X\x00", "name": "x"}]}
    assert api.post("customers/bulk", body).status_code == 422
    r = api.post("consents/check", {"channel": "sms", "customers": [customer.external_id, "\x00"]})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
