"""The background task that runs an import job (enqueued by ``services.start_import_job``)."""

from __future__ import annotations

from django_tasks import task

from samtykke.imports.services import execute_import_job


@task()
def run_import_job(job_id: int) -> str:
    """Run the job if it is still queued (a second delivery of the task does nothing)."""
    return execute_import_job(job_id)
