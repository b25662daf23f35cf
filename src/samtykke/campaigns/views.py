"""Back-office pages of campaigns: list, wizard, campaign page with its dashboard, CSV."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from samtykke.backoffice.access import staff_view
from samtykke.campaigns import charts, services
from samtykke.campaigns.audience import Audience, marketing_purpose, sample
from samtykke.campaigns.forms import CampaignForm
from samtykke.campaigns.message import Measure, check_message, measure
from samtykke.campaigns.models import Campaign, Recipient
from samtykke.campaigns.stats import dashboard, progress
from samtykke.consent.models import ConsentState
from samtykke.tenancy.models import Dealer


def _dealer(request: HttpRequest) -> Dealer:
    return request.dealer  # type: ignore[attr-defined]


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = (
        Campaign.objects.for_dealer(_dealer(request)).select_related("dealer").filter(pk=pk).first()
    )
    if campaign is None:
        raise Http404
    return campaign


@staff_view
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    dealer = _dealer(request)
    campaigns = list(Campaign.objects.for_dealer(dealer).select_related("created_by")[:200])
    rows = [(c, progress(c)) for c in campaigns]
    return render(
        request,
        "campaigns/list.html",
        {"rows": rows, "manual_reason": services.manual_reason(dealer)},
    )


MEASURE = gettext_lazy(
    "%(length)s characters · %(segments)s SMS (%(encoding)s) · estimated cost NOK %(cost)s"
)


def measure_text(m: Measure) -> str:
    return str(MEASURE) % {
        "length": m.length,
        "segments": m.segments,
        "encoding": m.encoding,
        "cost": m.cost,
    }


def _preview(dealer: Dealer, data: dict[str, Any]) -> dict[str, Any]:
    """What the wizard shows beside the form: audience count, a sample, the message's measure."""
    channels = tuple(c for c in data.get("channels") or ["sms"] if c in ("sms", "email"))
    years = data.get("years") or dealer.contact_window_years
    audience = Audience(dealer, marketing_purpose(dealer), channels or ("sms",), int(years))
    count = audience.customers().count()
    message = data.get("message") or ""
    return {
        "count": count,
        "sample": sample(audience, 10),
        "measure_text": measure_text(measure(message, dealer=dealer, recipients=count)),
        "measure_template": str(MEASURE),
        "problems": check_message(message, dealer) if message else [],
    }


@staff_view
def campaign_new(request: HttpRequest) -> HttpResponse:
    dealer = _dealer(request)
    reason = services.manual_reason(dealer)
    if request.method == "POST" and not reason:
        form = CampaignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.create_campaign(
                    dealer=dealer,
                    name=data["name"],
                    channels=data["channels"],
                    years=data["years"],
                    message=data["message"],
                    email_subject=data["email_subject"],
                    email_message=data["email_message"],
                    reminder_after_days=data["reminder_days"],
                    start_at=data["start_at"],
                    created_by=request.user,
                )
            except services.CampaignError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("The campaign is ready with %(n)s recipients. Check it and start it.")
                    % {"n": campaign.recipient_count},
                )
                return redirect("campaigns:detail", pk=campaign.pk)
        preview = _preview(dealer, form.cleaned_data if form.is_bound else {})
    else:
        # A GET with the fields (the "Update" button) shows the audience for them; nothing is kept.
        if "years" in request.GET:
            form = CampaignForm(request.GET)
            form.is_valid()
            data = {**CampaignForm.initial_for(dealer.contact_window_years), **form.cleaned_data}
            form = CampaignForm(initial=data)
        else:
            data = CampaignForm.initial_for(dealer.contact_window_years)
            form = CampaignForm(initial=data)
        preview = _preview(dealer, data)
    return render(
        request,
        "campaigns/new.html",
        {"form": form, "manual_reason": reason, **preview},
    )


@staff_view
@require_GET
def message_measure(request: HttpRequest) -> JsonResponse:
    """Length, segments, encoding and cost of a text, for the wizard's live counter."""
    dealer = _dealer(request)
    text = request.GET.get("text", "")[:2000]
    try:
        recipients = max(0, min(int(request.GET.get("recipients", "1")), 10**7))
    except ValueError:
        recipients = 1
    m = measure(text, dealer=dealer, recipients=recipients)
    return JsonResponse(
        {
            "length": m.length,
            "segments": m.segments,
            "encoding": m.encoding,
            "cost": number_format(m.cost, 2),
            "unsupported": "".join(m.unsupported),
            "problems": check_message(text, dealer),
        }
    )


@staff_view
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    board = dashboard(campaign)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "board": board,
            "funnel": charts.funnel(board.funnel),
            "funnel_height": 30 * len(board.funnel),
            "timeline": charts.timeline(board.timeline),
            "measure_text": measure_text(
                measure(
                    campaign.message, dealer=campaign.dealer, recipients=campaign.recipient_count
                )
            ),
            "manual_reason": services.manual_reason(campaign.dealer),
            "refresh": campaign.status in ("sending", "scheduled"),
        },
    )


ACTIONS = {
    "start": (services.start, gettext_lazy("The campaign is started.")),
    "pause": (services.pause, gettext_lazy("The campaign is paused.")),
    "resume": (services.resume, gettext_lazy("Sending has resumed.")),
    "cancel": (services.cancel, gettext_lazy("The campaign is cancelled; nothing more is sent.")),
}


@staff_view
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    if action not in ACTIONS:
        raise Http404
    run, done = ACTIONS[action]
    try:
        changed = run(campaign)
    except services.CampaignError as exc:
        messages.error(request, exc.message)
    else:
        if changed:
            messages.success(request, str(done))
        else:
            messages.info(
                request,
                _("Nothing changed: the campaign is %(s)s.") % {"s": campaign.get_status_display()},
            )
    return redirect("campaigns:detail", pk=campaign.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """No formulas in a spreadsheet: a cell that starts like one gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in "+-" and not text[1:2].isdigit()):
        return "'" + text
    return text


@staff_view
@require_GET
def campaign_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    dealer = campaign.dealer
    recipients = (
        Recipient.objects.for_dealer(dealer)
        .filter(campaign=campaign)
        .select_related("customer", "personal_link")
        .order_by("pk")
    )
    states: dict[tuple[int, str], str] = {}

    def rows() -> Any:
        writer = csv.writer(_Echo())
        yield writer.writerow(
            [
                "customer_number",
                "external_id",
                "name",
                "channel",
                "state",
                "failure_reason",
                "sent_at",
                "delivered_at",
                "opened_at",
                "sms_consent",
                "email_consent",
            ]
        )
        for start in range(0, campaign.recipient_count + 1, 2000):
            chunk = list(recipients[start : start + 2000])
            states.clear()
            for customer_id, channel, status in (
                ConsentState.objects.for_dealer(dealer)
                .filter(customer_id__in=[r.customer_id for r in chunk])
                .values_list("customer_id", "channel__key", "status")
            ):
                states[(customer_id, channel)] = status
            for r in chunk:
                yield writer.writerow(
                    [
                        _cell(x)
                        for x in (
                            r.customer.customer_number,
                            r.customer.external_id,
                            r.customer.name,
                            r.channel,
                            r.state,
                            r.failure_reason,
                            r.sent_at and timezone.localtime(r.sent_at).isoformat(),
                            r.delivered_at and timezone.localtime(r.delivered_at).isoformat(),
                            r.personal_link.first_opened_at
                            and timezone.localtime(r.personal_link.first_opened_at).isoformat(),
                            states.get((r.customer_id, "sms"), ""),
                            states.get((r.customer_id, "email"), ""),
                        )
                    ]
                )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kampanje-{campaign.pk}.csv"'
    return response  # type: ignore[return-value]  # streamed: staff_view passes it through
