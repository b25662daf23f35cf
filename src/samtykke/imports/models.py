"""An import of a DMS export: the uploaded file(s), the confirmed mapping, progress and outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtykke.tenancy.models import Dealer
from samtykke.tenancy.scoping import DealerScopedManager


def upload_path(instance: ImportJob, filename: str) -> str:
    """Uploads live under imports/<dealer>/…; the storage adds a suffix when a name is taken."""
    return f"imports/{instance.dealer_id}/{timezone.now():%Y%m%d-%H%M%S}.csv"


class ImportJob(models.Model):
    """One upload, run as a dry run or for real by the ``run_import_job`` task.

    ``problems`` holds every bad row as ``{"line", "column", "value", "reason"}``;
    ``summary`` what was created, updated and skipped (see ``imports.engine.ImportSummary``).
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: choose the columns")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Not imported: the file has bad rows")
        FAILED = "failed", _("Failed")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="import_jobs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("customer file"), upload_to=upload_path)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    orders_file = models.FileField(_("orders file"), upload_to=upload_path, blank=True)
    orders_file_name = models.CharField(max_length=255, blank=True)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    orders_mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total = models.PositiveIntegerField(default=0)  # customers to write
    processed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    all_dealers = models.Manager()
    objects = DealerScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["dealer", "created_at"], name="import_job_created")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        """Progress for the progress bar, 0–100."""
        if self.status in (self.Status.DONE, self.Status.REFUSED):
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.processed / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)
