"""Actions of the Markedsføring panel. Every write goes through ``consent.actions``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from samtykke.backoffice.access import dealer_object, dealer_of, staff_view
from samtykke.backoffice.consent_forms import PaperConsentForm, StaffDecisionForm, choice_key
from samtykke.backoffice.documents import FormReference, parse_reference
from samtykke.backoffice.panel import notice_versions, purpose_channels, ui_language
from samtykke.backoffice.scans import Scan, store_scan
from samtykke.consent.actions import Actor, ConsentError, Decision, record_consent
from samtykke.consent.models import Source
from samtykke.consent.notices import NoticeError, current_notice_version
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer


def _live_customer(request: HttpRequest, pk: int) -> Customer:
    customer = dealer_object(request, Customer, pk=pk)
    if customer.is_erased:
        raise Http404("The customer was erased.")
    return customer


def _initial_version(dealer: Dealer, parsed: FormReference | None) -> Any:
    """The version named by the form reference, else the current one in the default language."""
    if parsed is not None:
        return parsed.notice_version.pk
    try:
        return current_notice_version(dealer, dealer.default_language).pk
    except NoticeError:
        return None


@require_http_methods(["GET", "POST"])
@staff_view
def paper_form(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    customer = _live_customer(request, pk)
    versions = notice_versions(dealer)
    choices = purpose_channels(dealer)
    reference = request.GET.get("ref", "").strip()[:300]
    parsed, problem = parse_reference(dealer, reference) if reference else (None, "")
    if parsed is not None and parsed.find_customer(dealer) != customer:
        parsed, problem = None, _("The form reference names another customer.")
    form = PaperConsentForm(
        request.POST or None,
        request.FILES or None,
        choices=choices,
        versions=versions,
        language=ui_language(),
        initial={
            "notice_version": _initial_version(dealer, parsed),
            "form_reference": reference if parsed else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence: dict[str, Any] = {}
        if data.get("form_reference"):
            evidence["form_reference"] = data["form_reference"]
        if data.get("note"):
            evidence["note"] = data["note"]
        scan: Scan | None = data.get("scan")
        if scan is not None:
            evidence["scan"] = store_scan(scan, dealer_slug=dealer.slug, customer_id=customer.pk)
        try:
            record_consent(
                dealer=dealer,
                customer=customer,
                decisions=[Decision(p.key, c.key, status) for p, c, status in form.decisions()],
                source=Source.PAPER_FORM,
                actor=Actor.staff(request.user),  # type: ignore[arg-type]
                occurred_at=form.occurred_at(),
                notice_version=data["notice_version"],
                evidence=evidence,
            )
        except ConsentError as exc:
            if "scan" in evidence:  # nothing recorded: keep no orphaned scan
                default_storage.delete(evidence["scan"]["path"])
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The signed form is recorded."))
            return redirect("backoffice:customer", pk=customer.pk)
    return render(
        request,
        "backoffice/customers/paper_form.html",
        {
            "customer": customer,
            "form": form,
            "reference": reference,
            "parsed": parsed,
            "problem": problem,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def staff_decision(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    customer = _live_customer(request, pk)
    choices = purpose_channels(dealer)
    form = StaffDecisionForm(request.POST or None, choices=choices, language=ui_language())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_key = {choice_key(p, c): (p, c) for p, c in choices}
        decisions = [
            Decision(by_key[key][0].key, by_key[key][1].key, data["status"])
            for key in data["choices"]
        ]
        try:
            record_consent(
                dealer=dealer,
                customer=customer,
                decisions=decisions,
                source=Source.STAFF,
                actor=Actor.staff(request.user),  # type: ignore[arg-type]
                evidence={"via": data["via"], "note": data["note"]},
            )
        except ConsentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The customer's answer is recorded."))
            return redirect("backoffice:customer", pk=customer.pk)
    return render(
        request, "backoffice/customers/staff_decision.html", {"customer": customer, "form": form}
    )


@require_safe
@staff_view
def form_lookup(request: HttpRequest) -> HttpResponse:
    """A returned form's reference (typed or scanned) → that customer's paper-form page."""
    dealer = dealer_of(request)
    reference = request.GET.get("ref", "").strip()[:300]
    if not reference:
        return redirect("backoffice:customers")
    parsed, problem = parse_reference(dealer, reference)
    customer = parsed.find_customer(dealer) if parsed is not None else None
    if customer is not None:
        url = reverse("backoffice:paper_form", kwargs={"pk": customer.pk})
        return redirect(f"{url}?{urlencode({'ref': reference})}")
    messages.error(
        request,
        _("No customer found for the form reference %(ref)s. %(why)s")
        % {"ref": reference, "why": problem},
    )
    return redirect("backoffice:customers")
