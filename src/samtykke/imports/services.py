"""Import jobs: upload, confirm the mapping, run (in the background or from the CLI).

The back office and the CLI use only these functions:

- ``create_import_job(dealer=…, uploaded_by=…, data=…, file_name=…, orders_data=…)`` stores the
  file(s) through Django's default storage and proposes a mapping (raises ImportFileError for
  a file that is not a table);
- ``preview(job)`` gives the headers, the proposed mapping and the first rows for the screen;
- ``start_import_job(job=…, mapping=…, dry_run=…, skip_bad_rows=…)`` checks the mapping
  (MappingError) and enqueues the task after commit;
- ``execute_import_job(job_id, progress=…)`` runs it (the task calls it; the CLI calls it
  directly with its progress bar). Progress is written to the job as it goes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from samtykke.imports.engine import Progress, run_import
from samtykke.imports.mapping import Mapping, MappingError, propose_mapping
from samtykke.imports.models import ImportJob
from samtykke.imports.parsing import ParsedFile, Row, read_upload
from samtykke.tenancy.models import Dealer

logger = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Preview:
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: Mapping
    rows: list[Row]


def _read(data: bytes) -> ParsedFile:
    from samtykke.imports.parsing import ImportFileError

    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    return read_upload(data)


def create_import_job(
    *,
    dealer: Dealer,
    uploaded_by: AbstractBaseUser | None,
    data: bytes,
    file_name: str = "",
    orders_data: bytes | None = None,
    orders_file_name: str = "",
) -> ImportJob:
    """Store the upload(s) and propose mappings. Nothing is imported yet."""
    parsed = _read(data)
    job = ImportJob(
        dealer=dealer,
        uploaded_by=uploaded_by,  # type: ignore[misc]
        file_name=file_name[:255],
        mapping=propose_mapping(parsed.headers).to_json(),
    )
    job.file.save("upload.csv", ContentFile(data), save=False)
    if orders_data:
        orders = _read(orders_data)
        job.orders_file.save("orders.csv", ContentFile(orders_data), save=False)
        job.orders_file_name = orders_file_name[:255]
        job.orders_mapping = propose_mapping(orders.headers).to_json()
    job.save()
    return job


def load_files(job: ImportJob) -> tuple[ParsedFile, ParsedFile | None]:
    with job.file.open("rb") as handle:
        parsed = read_upload(handle.read())
    orders = None
    if job.orders_file:
        with job.orders_file.open("rb") as handle:
            orders = read_upload(handle.read())
    return parsed, orders


def preview(job: ImportJob, rows: int = 10) -> tuple[Preview, Preview | None]:
    """What the mapping screen shows: for the customer file and the orders file (if any)."""
    parsed, orders = load_files(job)

    def one(file: ParsedFile, mapping: dict[str, Any]) -> Preview:
        try:
            chosen = Mapping.from_json(mapping, file.headers)
        except MappingError:
            chosen = Mapping({k: v for k, v in mapping.items() if v in file.headers})
        return Preview(file.encoding, file.delimiter_name, file.headers, chosen, file.preview(rows))

    return one(parsed, job.mapping), (one(orders, job.orders_mapping) if orders else None)


def start_import_job(
    *,
    job: ImportJob,
    mapping: dict[str, Any] | Mapping,
    orders_mapping: dict[str, Any] | Mapping | None = None,
    dry_run: bool,
    skip_bad_rows: bool = False,
    enqueue: bool = True,
) -> ImportJob:
    """Confirm the mapping and queue the run (after commit). Raises MappingError."""
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        raise MappingError("This import is already running.")
    parsed, orders = load_files(job)
    checked = (
        mapping if isinstance(mapping, Mapping) else Mapping.from_json(mapping, parsed.headers)
    )
    checked.check()
    job.mapping = checked.to_json()
    if orders is not None:
        if orders_mapping is None:
            raise MappingError("Map the columns of the orders file too.")
        checked_orders = (
            orders_mapping
            if isinstance(orders_mapping, Mapping)
            else Mapping.from_json(orders_mapping, orders.headers)
        )
        if not checked_orders.has_orders:
            raise MappingError("Map the order number and the order date of the orders file.")
        job.orders_mapping = checked_orders.to_json()
    job.dry_run = dry_run
    job.skip_bad_rows = skip_bad_rows
    job.status = ImportJob.Status.QUEUED
    job.processed = job.total = 0
    job.problems, job.summary, job.error = [], {}, ""
    job.started_at = job.finished_at = None
    job.save()
    if enqueue:
        from samtykke.imports.tasks import run_import_job

        job_id = job.pk
        transaction.on_commit(lambda: run_import_job.enqueue(job_id))
    return job


def execute_import_job(job_id: int, progress: Progress | None = None) -> str:
    """Claim the queued job, run it, and store problems, summary and status. Returns the status."""
    claimed = ImportJob.all_dealers.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "not-queued"
    job = ImportJob.all_dealers.select_related("dealer").get(pk=job_id)

    def report(done: int, total: int) -> None:
        ImportJob.all_dealers.filter(pk=job_id).update(processed=done, total=total)
        if progress is not None:
            progress(done, total)

    try:
        parsed, orders = load_files(job)
        outcome = run_import(
            dealer=job.dealer,
            parsed=parsed,
            mapping=Mapping.from_json(job.mapping, parsed.headers),
            orders_file=orders,
            orders_mapping=Mapping.from_json(job.orders_mapping, orders.headers)
            if orders
            else None,
            dry_run=job.dry_run,
            skip_bad_rows=job.skip_bad_rows,
            progress=report,
        )
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        done = ImportJob.all_dealers.get(pk=job_id).processed
        ImportJob.all_dealers.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}. {done} customers were written before the "
            "failure; run the same file again to complete the import (every write is an upsert).",
        )
        return ImportJob.Status.FAILED
    status = ImportJob.Status.DONE if outcome.ok else ImportJob.Status.REFUSED
    ImportJob.all_dealers.filter(pk=job_id).update(
        status=status,
        finished_at=timezone.now(),
        problems=[p.to_json() for p in outcome.problems],
        summary=outcome.summary.to_json() | {"lines": outcome.summary.lines()},
    )
    return str(status)
