"""Importing customers (and orders) from a DMS export: upload, map, dry run, run, summary."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from samtykke.backoffice.access import dealer_object, dealer_of, staff_view
from samtykke.backoffice.import_forms import ORDERS_FILE_FIELDS, MappingForm, RunForm, UploadForm
from samtykke.imports.mapping import MappingError
from samtykke.imports.models import ImportJob
from samtykke.imports.parsing import ImportFileError
from samtykke.imports.services import create_import_job, preview, start_import_job

PROBLEMS_SHOWN = 500


@require_http_methods(["GET", "POST"])
@staff_view
def upload(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        customers, orders = form.cleaned_data["file"], form.cleaned_data.get("orders_file")
        try:
            job = create_import_job(
                dealer=dealer,
                uploaded_by=request.user,  # type: ignore[arg-type]
                data=customers.read(),
                file_name=customers.name or "",
                orders_data=orders.read() if orders else None,
                orders_file_name=(orders.name or "") if orders else "",
            )
        except ImportFileError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("backoffice:import_job", pk=job.pk)
    jobs = ImportJob.objects.for_dealer(dealer).select_related("uploaded_by")[:20]
    return render(request, "backoffice/imports/upload.html", {"form": form, "jobs": jobs})


def _mapping_forms(
    request: HttpRequest, job: ImportJob
) -> tuple[MappingForm, MappingForm | None, object, object]:
    customers, orders = preview(job)
    data = request.POST if request.method == "POST" else None
    form = MappingForm(
        data, headers=customers.headers, proposed=customers.mapping.to_json(), prefix="c"
    )
    orders_form = None
    if orders is not None:
        orders_form = MappingForm(
            data,
            headers=orders.headers,
            proposed=orders.mapping.to_json(),
            fields=ORDERS_FILE_FIELDS,
            prefix="o",
        )
    return form, orders_form, customers, orders


@require_safe
@staff_view
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = dealer_object(request, ImportJob, pk=pk)
    context: dict[str, object] = {"job": job}
    may_run = job.status == ImportJob.Status.UPLOADED or (
        job.status in (ImportJob.Status.DONE, ImportJob.Status.REFUSED)
        and (job.dry_run or job.status == ImportJob.Status.REFUSED)
    )
    context["may_run"] = may_run
    if may_run:
        form, orders_form, customers, orders = _mapping_forms(request, job)
        context |= {"form": form, "orders_form": orders_form, "preview": customers}
        context |= {"orders_preview": orders, "run_form": RunForm()}
    context["separators"] = {
        "semicolon": _("semicolon"),
        "comma": _("comma"),
        "tab": _("tab"),
    }
    context["problems"] = job.problems[:PROBLEMS_SHOWN]
    context["more_problems"] = max(len(job.problems) - PROBLEMS_SHOWN, 0)
    return render(request, "backoffice/imports/job.html", context)


@require_POST
@staff_view
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = dealer_object(request, ImportJob, pk=pk)
    form, orders_form, _customers, _orders = _mapping_forms(request, job)
    run = RunForm(request.POST)
    if form.is_valid() and run.is_valid() and (orders_form is None or orders_form.is_valid()):
        try:
            start_import_job(
                job=job,
                mapping=form.mapping(),
                orders_mapping=orders_form.mapping() if orders_form else None,
                dry_run=run.cleaned_data["mode"] == "dry_run",
                skip_bad_rows=run.cleaned_data["skip_bad_rows"],
            )
        except MappingError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose the columns again; the form was not complete."))
    return redirect("backoffice:import_job", pk=job.pk)


@require_safe
@staff_view
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = dealer_object(request, ImportJob, pk=pk)
    response = JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "processed": job.processed,
            "total": job.total,
            "percent": job.percent,
            "finished": job.is_finished,
        }
    )
    response["Cache-Control"] = "no-store"
    return response
