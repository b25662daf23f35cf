"""The import screens: upload, columns proposed, dry run naming bad rows, real run, status."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from samtykke.consent.models import ConsentState
from samtykke.customers.models import Customer
from samtykke.imports.models import ImportJob
from samtykke.tenancy.models import Dealer

pytestmark = pytest.mark.django_db

EXPORT = (
    "Kundenr;Navn;Mobil;E-post;Fødselsdato;SMS\r\n"
    "5001;Åse Ærlig;912 34 567;ase@example.no;01.02.1970;Ja\r\n"
    "5002;Øyvind Ø;41234567;oyvind@example.no;31.13.1980;Nei\r\n"
    "5003;Bjørn Berg;;bjorn@example.no;;\r\n"
).encode("cp1252")


def upload(client: Client, content: bytes = EXPORT) -> ImportJob:
    response = client.post(
        "/import/", {"file": SimpleUploadedFile("kunder.csv", content, content_type="text/csv")}
    )
    assert response.status_code == 302, response.content.decode()
    return ImportJob.all_dealers.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def mapping_post(job: ImportJob, mode: str, **extra: str) -> dict[str, str]:
    data = {f"c-{name}": header for name, header in job.mapping.items()}
    data["mode"] = mode
    data.update(extra)
    return data


def test_upload_proposes_columns_with_a_preview(bob_client: Client) -> None:
    job = upload(bob_client)
    page = bob_client.get(f"/import/{job.pk}/")
    text = page.content.decode()
    assert page.context["form"]["customer_number"].initial == "Kundenr"
    assert page.context["form"]["mobile"].initial == "Mobil"
    assert "Åse Ærlig" in text and page.context["preview"].encoding in text


def test_not_a_table_is_a_clear_error(bob_client: Client) -> None:
    response = bob_client.post(
        "/import/", {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02" * 10)}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_dry_run_names_the_bad_row_and_writes_nothing(
    bob_client: Client, dealer: Dealer, django_capture_on_commit_callbacks: Any
) -> None:
    job = upload(bob_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(f"/import/{job.pk}/start/", mapping_post(job, "dry_run"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.dry_run
    assert [(p["line"], p["column"]) for p in job.problems] == [(3, "Fødselsdato")]
    page = bob_client.get(f"/import/{job.pk}/").content.decode()
    assert "31.13.1980" in page and "Fødselsdato" in page
    assert not Customer.objects.for_dealer(dealer).exists()


def test_real_run_refuses_bad_rows_then_skips_them(
    bob_client: Client, dealer: Dealer, django_capture_on_commit_callbacks: Any
) -> None:
    job = upload(bob_client)
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(f"/import/{job.pk}/start/", mapping_post(job, "real"))
    job.refresh_from_db()
    assert job.status == "refused"
    assert not Customer.objects.for_dealer(dealer).exists()
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(f"/import/{job.pk}/start/", mapping_post(job, "real", skip_bad_rows="on"))
    job.refresh_from_db()
    assert job.status == "done" and job.percent == 100
    customers = Customer.objects.for_dealer(dealer)
    assert sorted(customers.values_list("customer_number", flat=True)) == ["5001", "5003"]
    ase = customers.get(customer_number="5001")
    assert ase.legacy_consent  # kept as evidence …
    states = ConsentState.objects.for_dealer(dealer).filter(customer=ase)
    assert {s.status for s in states} == {"unknown"}  # … never as consent
    status = bob_client.get(f"/import/{job.pk}/status.json").json()
    assert status["finished"] and status["percent"] == 100


def test_mapping_without_a_customer_key_is_refused(bob_client: Client) -> None:
    job = upload(bob_client)
    data = mapping_post(job, "dry_run")
    data["c-customer_number"] = ""
    response = bob_client.post(f"/import/{job.pk}/start/", data, follow=True)
    assert "customer number" in response.content.decode().lower()
    job.refresh_from_db()
    assert job.status == "uploaded"
