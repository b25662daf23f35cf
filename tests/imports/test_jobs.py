"""Import jobs: stored upload, mapping, the background task with its progress, the outcome."""

from __future__ import annotations

from typing import Any

import pytest

from samtykke.customers.models import Customer
from samtykke.imports.mapping import MappingError
from samtykke.imports.models import ImportJob
from samtykke.imports.parsing import ImportFileError
from samtykke.imports.services import (
    create_import_job,
    execute_import_job,
    preview,
    start_import_job,
)
from samtykke.tenancy.models import Dealer
from tests.imports.files import ROWS, export


def test_upload_is_stored_with_a_proposed_mapping_and_a_preview(dealer: Dealer, bob: Any) -> None:
    job = create_import_job(
        dealer=dealer, uploaded_by=bob, data=export(encoding="cp1252"), file_name="kunder.csv"
    )
    assert job.status == ImportJob.Status.UPLOADED
    assert job.mapping["customer_number"] == "Kundenr"
    assert job.file.name.startswith(f"imports/{dealer.pk}/")
    shown, orders = preview(job, rows=2)
    assert orders is None
    assert (shown.encoding, shown.delimiter) == ("iso-8859-1", "semicolon")
    assert [r.line for r in shown.rows] == [2, 3]
    assert shown.rows[0].values[1] == "Åse Ørnes-Bækken"


def test_the_task_runs_the_job_after_commit_with_progress(
    dealer: Dealer, bob: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = create_import_job(dealer=dealer, uploaded_by=bob, data=export())
    with django_capture_on_commit_callbacks(execute=True):
        start_import_job(job=job, mapping=job.mapping, dry_run=False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.processed, job.total, job.percent) == (3, 3, 100)
    assert job.summary["created"] == 3
    assert job.summary["lines"][0].startswith("3 customers in the file")
    assert Customer.objects.for_dealer(dealer).count() == 3
    # A second delivery of the same task does nothing.
    assert execute_import_job(job.pk) == "not-queued"


def test_a_job_with_a_bad_row_is_refused_and_keeps_every_problem(dealer: Dealer) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][9] = "snart"
    job = create_import_job(dealer=dealer, uploaded_by=None, data=export(rows))
    start_import_job(job=job, mapping=job.mapping, dry_run=False, enqueue=False)
    assert execute_import_job(job.pk) == ImportJob.Status.REFUSED
    job.refresh_from_db()
    assert job.problems == [
        {
            "line": 2,
            "column": "Ordredato",
            "value": "snart",
            "reason": "not a date (use 31.12.2024)",
            "file": "",
        }
    ]
    assert not Customer.objects.for_dealer(dealer).exists()


def test_a_failure_half_way_is_reported_not_hidden(
    dealer: Dealer, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = create_import_job(dealer=dealer, uploaded_by=None, data=export())
    start_import_job(job=job, mapping=job.mapping, dry_run=False, enqueue=False)

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr("samtykke.imports.engine.reset_new_customers", broken)
    assert execute_import_job(job.pk) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert "database went away" in job.error and "run the same file again" in job.error


def test_bad_uploads_and_mappings_are_refused_with_a_reason(dealer: Dealer) -> None:
    with pytest.raises(ImportFileError):
        create_import_job(dealer=dealer, uploaded_by=None, data=b"")
    job = create_import_job(dealer=dealer, uploaded_by=None, data=export())
    with pytest.raises(MappingError, match="no column"):
        start_import_job(job=job, mapping={"customer_number": "Nope"}, dry_run=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_jobs_are_scoped_to_their_dealer(dealer: Dealer, other_dealer: Dealer) -> None:
    job = create_import_job(dealer=dealer, uploaded_by=None, data=export())
    assert not ImportJob.objects.for_dealer(other_dealer).filter(pk=job.pk).exists()
