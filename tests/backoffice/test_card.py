"""The customer card and its Markedsføring panel."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from samtykke.consent.models import ConsentEvent, ConsentState, PersonalLink
from samtykke.consent.notices import current_notice_version, publish_notice_version
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.backoffice.conftest import minimal_pdf, png_bytes

pytestmark = pytest.mark.django_db


def _paper(client: Client, customer: Customer, **data: Any) -> Any:
    return client.post(f"/kunder/{customer.pk}/papirskjema/", data)


def _status(dealer: Dealer, customer: Customer, channel: str) -> str:
    state = (
        ConsentState.objects.for_dealer(dealer)
        .filter(customer=customer, channel__key=channel)
        .get()
    )
    return state.status


def test_card_shows_details_orders_and_panel(
    bob_client: Client, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        response = bob_client.get(f"/kunder/{customer.pk}/")
    text = response.content.decode()
    assert customer.name in text and "WO-1" in text
    assert "Markedsføring" in text and "Ikke spurt" in text


def test_paper_form_boxes_start_unticked(bob_client: Client, customer: Customer) -> None:
    text = bob_client.get(f"/kunder/{customer.pk}/papirskjema/").content.decode()
    assert 'name="tick_marketing_sms"' in text
    assert "checked" not in text


def test_record_paper_form_with_scan(
    bob_client: Client, bob: Any, dealer: Dealer, customer: Customer
) -> None:
    version = current_notice_version(dealer, "nb")
    scan = png_bytes()
    signed = timezone.localdate() - dt.timedelta(days=2)
    response = _paper(
        bob_client,
        customer,
        tick_marketing_sms="on",
        signed_on=signed.isoformat(),
        notice_version=version.pk,
        form_reference="REF-1",
        scan=SimpleUploadedFile("skjema.pdf", scan, content_type="application/pdf"),
    )
    assert response.status_code == 302, response.content.decode()
    assert _status(dealer, customer, "sms") == "given"
    assert _status(dealer, customer, "email") == "refused"
    event = ConsentEvent.objects.for_dealer(dealer).get(customer=customer, channel__key="sms")
    assert event.source == "paper_form" and event.actor_user == bob
    assert event.notice_version == version and not event.notice_assumed
    assert timezone.localtime(event.occurred_at).date() == signed
    stored = event.evidence["scan"]
    assert stored["sha256"] == hashlib.sha256(scan).hexdigest()
    assert stored["content_type"] == "image/png" and stored["path"].endswith(".png")
    with default_storage.open(stored["path"], "rb") as fh:
        assert fh.read() == scan
    assert event.evidence["form_reference"] == "REF-1"
    shown = bob_client.get(f"/kunder/{customer.pk}/skann/{event.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == scan  # type: ignore[attr-defined]


def test_pdf_scan_is_accepted(bob_client: Client, dealer: Dealer, customer: Customer) -> None:
    response = _paper(
        bob_client,
        customer,
        tick_marketing_email="on",
        signed_on=timezone.localdate().isoformat(),
        notice_version=current_notice_version(dealer, "nb").pk,
        scan=SimpleUploadedFile("scan.png", minimal_pdf(), content_type="image/png"),
    )
    assert response.status_code == 302
    event = ConsentEvent.objects.for_dealer(dealer).get(customer=customer, channel__key="email")
    assert event.evidence["scan"]["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 not a scan", "PDF, JPEG eller PNG"),
        (b"\x89PNG\r\n\x1a\n broken", "skadet"),
        (b"%PDF-1.4" + b"x" * (10 * 1024 * 1024), "10 MB"),
    ],
)
def test_bad_scans_are_refused_and_nothing_is_recorded(
    bob_client: Client, dealer: Dealer, customer: Customer, content: bytes, message: str
) -> None:
    response = _paper(
        bob_client,
        customer,
        tick_marketing_sms="on",
        signed_on=timezone.localdate().isoformat(),
        notice_version=current_notice_version(dealer, "nb").pk,
        scan=SimpleUploadedFile("scan.pdf", content, content_type="application/pdf"),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).exists()


def test_paper_form_signed_in_the_future_is_refused(
    bob_client: Client, dealer: Dealer, customer: Customer
) -> None:
    response = _paper(
        bob_client,
        customer,
        signed_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        notice_version=current_notice_version(dealer, "nb").pk,
    )
    assert response.status_code == 200
    assert "kan ikke være i fremtiden" in response.content.decode()


def test_paper_form_cannot_use_another_dealers_notice(
    bob_client: Client, customer: Customer, other_dealer: Dealer
) -> None:
    foreign = current_notice_version(other_dealer, "nb")
    response = _paper(
        bob_client, customer, signed_on=timezone.localdate().isoformat(), notice_version=foreign.pk
    )
    assert response.status_code == 200 and response.context["form"].errors["notice_version"]


def test_old_events_keep_their_notice_version_after_publishing(
    bob_client: Client, alice: Any, dealer: Dealer, customer: Customer
) -> None:
    first = current_notice_version(dealer, "nb")
    _paper(
        bob_client,
        customer,
        tick_marketing_sms="on",
        signed_on=timezone.localdate().isoformat(),
        notice_version=first.pk,
    )
    newer = publish_notice_version(dealer=dealer, language="nb", title="Ny", text="Ny tekst")
    event = ConsentEvent.objects.for_dealer(dealer).get(customer=customer, channel__key="sms")
    assert event.notice_version_id == first.pk != newer.pk


def test_staff_records_withdrawal_with_note(
    bob_client: Client, dealer: Dealer, customer: Customer
) -> None:
    response = bob_client.post(
        f"/kunder/{customer.pk}/nei/",
        {"choices": ["marketing:sms"], "status": "withdrawn", "via": "phone", "note": "Ringte"},
    )
    assert response.status_code == 302
    event = ConsentEvent.objects.for_dealer(dealer).get(customer=customer)
    assert (event.status, event.source, event.channel.key) == ("withdrawn", "staff", "sms")
    assert event.evidence == {"via": "phone", "note": "Ringte"}
    card = bob_client.get(f"/kunder/{customer.pk}/").content.decode()
    assert "Trukket tilbake" in card and "Ringte" in card


def test_staff_decision_needs_a_note_and_a_choice(
    bob_client: Client, dealer: Dealer, customer: Customer
) -> None:
    response = bob_client.post(f"/kunder/{customer.pk}/nei/", {"status": "refused", "via": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"choices", "via", "note"}
    assert not ConsentEvent.objects.for_dealer(dealer).exists()


def test_print_from_card_is_a_pdf_and_issues_a_form_link(
    bob_client: Client, dealer: Dealer, customer: Customer
) -> None:
    assert bob_client.get(f"/kunder/{customer.pk}/skriv-ut/").status_code == 405
    response = bob_client.post(f"/kunder/{customer.pk}/skriv-ut/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")


def test_history_json_receipt(bob_client: Client, dealer: Dealer, customer: Customer) -> None:
    bob_client.post(
        f"/kunder/{customer.pk}/nei/",
        {"choices": ["marketing:email"], "status": "refused", "via": "counter", "note": "Nei"},
    )
    response = bob_client.get(f"/kunder/{customer.pk}/historikk.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    receipt = json.loads(response.content)
    assert receipt["data_subject"]["external_id"] == customer.external_id
    assert receipt["records"][0]["status"] == "refused"


def test_history_pdf(bob_client: Client, customer: Customer) -> None:
    response = bob_client.get(f"/kunder/{customer.pk}/historikk.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_erased_customer_has_no_actions(
    bob_client: Client, dealer: Dealer, customer: Customer
) -> None:
    from samtykke.consent.actions import Actor, erase_customer

    erase_customer(dealer=dealer, customer=customer, actor=Actor.system("test"))
    assert bob_client.get(f"/kunder/{customer.pk}/papirskjema/").status_code == 404
    assert bob_client.post(f"/kunder/{customer.pk}/skriv-ut/").status_code == 404
    assert not PersonalLink.objects.for_dealer(dealer).filter(revoked_at__isnull=True).exists()


def test_form_reference_finds_the_customer_and_preselects_the_notice(
    bob_client: Client, dealer: Dealer, customer: Customer
) -> None:
    from samtykke.documents.reference import format_form_reference

    older = current_notice_version(dealer, "nb")
    publish_notice_version(dealer=dealer, language="nb", title="Ny", text="Ny tekst")
    reference = format_form_reference(
        dealer=dealer, customer=customer, notice_version=older, order_reference="WO-1"
    )
    found = bob_client.get("/kunder/skjema/", {"ref": reference})
    assert found.status_code == 302
    assert found["Location"].startswith(f"/kunder/{customer.pk}/papirskjema/?ref=")
    page = bob_client.get(found["Location"])
    assert page.context["form"].initial["notice_version"] == older.pk
    assert page.context["form"].initial["form_reference"] == reference
    assert "WO-1" in page.content.decode()


def test_unknown_form_reference_says_why(bob_client: Client, customer: Customer) -> None:
    response = bob_client.get("/kunder/skjema/", {"ref": "fjord-auto/1001/nb-v1"}, follow=True)
    assert response.status_code == 200
    assert "fjord-auto/1001/nb-v1" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/kunder/"
