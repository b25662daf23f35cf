"""Recording decisions made in the DMS and reading the current state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samtykke.consent.models import ConsentEvent
from samtykke.consent.notices import current_notice_version
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.api.conftest import ApiClient


def test_record_decisions_with_and_without_notice(
    api: ApiClient, dealer: Dealer, customer: Customer
) -> None:
    notice = current_notice_version(dealer, "nb")
    body = {
        "decisions": [
            {
                "purpose": "marketing",
                "channel": "sms",
                "status": "given",
                "occurred_at": "2026-11-30T10:00:00+01:00",
                "notice_version": notice.reference,
                "evidence": {"note": "signed at the counter"},
                "actor": "selger Ola",
            },
            {"purpose": "marketing", "channel": "email", "status": "refused"},
        ]
    }
    r = api.post(f"customers/{customer.external_id}/consents", body)
    assert r.status_code == 201, r.content
    recorded = r.json()["recorded"]
    assert [(e["channel"], e["status"]) for e in recorded] == [
        ("sms", "given"),
        ("email", "refused"),
    ]
    assert recorded[0]["state"]["status"] == "given"
    events = {
        e.channel.key: e for e in ConsentEvent.objects.for_dealer(dealer).filter(source="dms_api")
    }
    assert events["sms"].notice_version == notice and not events["sms"].notice_assumed
    assert events["email"].notice_assumed and events["email"].notice_version == notice
    assert events["sms"].evidence == {"note": "signed at the counter"}
    assert events["sms"].actor_label.endswith(": selger Ola")
    consents = {
        c["channel"]: c
        for c in api.get(f"customers/{customer.external_id}/consents").json()["consents"]
    }
    assert consents["sms"]["status"] == "given" and consents["sms"]["source"] == "dms_api"
    assert consents["email"]["status"] == "refused"


@pytest.mark.parametrize(
    ("decision", "status", "code"),
    [
        ({"purpose": "newsletter"}, 422, "unknown_purpose"),
        ({"channel": "fax"}, 422, "unknown_channel"),
        ({"status": "maybe"}, 422, "invalid_request"),
        ({"occurred_at": "30.11.2026"}, 422, "invalid_request"),
        ({"occurred_at": "2099-01-01T00:00:00+00:00"}, 422, "occurred_in_future"),
        ({"occurred_at": "2026-11-01T00:00:00"}, 422, "naive_time"),
        ({"notice_version": "other/consent/nb/v1"}, 422, "unknown_notice_version"),
        ({"source": "portal"}, 422, "invalid_request"),
    ],
)
def test_bad_decisions_are_4xx_and_record_nothing(
    api: ApiClient, dealer: Dealer, customer: Customer, decision: dict, status: int, code: str
) -> None:
    before = ConsentEvent.objects.for_dealer(dealer).count()
    good = {"purpose": "marketing", "channel": "sms", "status": "given"}
    body = {
        "decisions": [
            {"purpose": "marketing", "channel": "email", "status": "given"},
            {**good, **decision},
        ]
    }
    r = api.post(f"customers/{customer.external_id}/consents", body)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert ConsentEvent.objects.for_dealer(dealer).count() == before


def test_an_older_decision_does_not_undo_a_newer_one(api: ApiClient, customer: Customer) -> None:
    now = timezone.now()
    path = f"customers/{customer.external_id}/consents"
    api.post(
        path,
        {
            "decisions": [
                {
                    "purpose": "marketing",
                    "channel": "sms",
                    "status": "withdrawn",
                    "occurred_at": now.isoformat(),
                }
            ]
        },
    )
    week_ago = (now - dt.timedelta(days=7)).isoformat()
    r = api.post(
        path,
        {
            "decisions": [
                {
                    "purpose": "marketing",
                    "channel": "sms",
                    "status": "given",
                    "occurred_at": week_ago,
                }
            ]
        },
    )
    assert r.status_code == 201
    event = r.json()["recorded"][0]
    assert event["status"] == "given" and event["state"]["status"] == "withdrawn"
    feed = api.get("consent-events?limit=1000").json()["events"]
    assert feed[-1]["status"] == "given" and feed[-1]["state"]["status"] == "withdrawn"
    assert feed[-2]["state"]["status"] == "withdrawn"
