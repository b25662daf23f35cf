"""Campaigns through the webservice, so a DMS can start one: ``POST /api/v1/campaigns``,
``GET /api/v1/campaigns/{id}``. Scoped to the API key's dealer; another dealer's campaign is a
404; a dealer on the manual option gets a 409 that says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, field_validator

from samtykke.api.auth import request_dealer
from samtykke.api.routes.common import ERRORS
from samtykke.api.schemas import StrictIn
from samtykke.api.v1 import ApiError
from samtykke.campaigns.models import Campaign
from samtykke.campaigns.services import CampaignError, create_campaign, manual_reason, start
from samtykke.campaigns.stats import progress

PREFIX = "/campaigns"
router = Router(tags=["campaigns"])


def _f(default: Any, description: str, **kwargs: Any) -> Any:
    return Field(default, description=description, **kwargs)


class CampaignIn(StrictIn):
    """Strict: JSON types as written (no 0 for false, no number for a time)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    name: str = _f("", "Name shown to staff (default: 'Samtykkekampanje <date>')", max_length=200)
    channels: list[str] = Field(
        default_factory=lambda: ["sms"],
        description="sms and/or email (e-mail reaches customers without a mobile number)",
    )
    years: int | None = _f(
        None, "Ask customers with contact within N years (default: the dealer's)", ge=1, le=30
    )
    message: str = _f(
        "",
        "SMS text with {fornavn}, {forhandler} and {lenke}; it must contain {lenke} and name "
        "the dealer (default: a Norwegian text)",
        max_length=1000,
    )
    email_subject: str = _f("", "E-mail subject (with channel email)", max_length=200)
    email_message: str = _f("", "E-mail text, with {lenke} (with channel email)", max_length=5000)
    reminder_after_days: int | None = _f(
        7, "One reminder to those who have not answered after N days; null: none", ge=1, le=60
    )
    start: bool = _f(False, "Start sending at once (or at start_at); false: a draft")
    start_at: dt.datetime | None = _f(
        None, "When to start (ISO 8601 with a time zone); null: now", strict=False
    )

    @field_validator("start_at", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str | dt.datetime):
            raise ValueError("an ISO 8601 date and time, e.g. 2026-12-01T09:00:00+01:00")
        return value


class ProgressOut(Schema):
    total: int = _f(..., "Recipients")
    pending: int = _f(..., "Waiting to be sent")
    sending: int = _f(..., "Being sent right now")
    sent: int = _f(..., "Sent, no delivery report yet")
    delivered: int = _f(..., "Reported delivered")
    failed: int = _f(..., "Failed (see the CSV export for reasons)")
    cancelled: int = _f(..., "Not sent: the campaign was cancelled")
    percent: int = _f(..., "Share handled, 0-100")


class CampaignOut(Schema):
    id: int = _f(..., "The campaign's id")
    name: str = _f(..., "Name")
    status: str = _f(..., "draft, scheduled, sending, paused, done or cancelled")
    channels: list[str] = _f(..., "sms and/or email")
    contact_window_years: int = _f(..., "Customers with contact within this many years")
    message: str = _f(..., "The SMS text with its placeholders")
    recipients: int = _f(..., "Customers asked")
    start_at: dt.datetime | None = _f(..., "Set start time, if any")
    started_at: dt.datetime | None = _f(..., "When sending started")
    finished_at: dt.datetime | None = _f(..., "When sending finished or was cancelled")
    reminder_after_days: int | None = _f(..., "Reminder after N days; null: none")
    progress: ProgressOut = _f(..., "Counts of recipients by state")


def _out(campaign: Campaign) -> dict[str, Any]:
    p = progress(campaign)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "channels": campaign.channels,
        "contact_window_years": campaign.contact_window_years,
        "message": campaign.message,
        "recipients": campaign.recipient_count,
        "start_at": campaign.start_at,
        "started_at": campaign.started_at,
        "finished_at": campaign.finished_at,
        "reminder_after_days": campaign.reminder_after_days,
        "progress": {**p.__dict__, "percent": p.percent},
    }


@router.post(
    "",
    response={201: CampaignOut, **ERRORS},
    summary="Prepare a campaign (and start it)",
)
def create(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    dealer = request_dealer(request)
    if payload.start and (reason := manual_reason(dealer)):
        raise ApiError(409, "manual_dealer", reason)
    try:
        campaign = create_campaign(
            dealer=dealer,
            name=payload.name,
            channels=payload.channels,
            years=payload.years,
            message=payload.message,
            email_subject=payload.email_subject,
            email_message=payload.email_message,
            reminder_after_days=payload.reminder_after_days,
            start_at=payload.start_at,
        )
        if payload.start:
            campaign = start(campaign)
    except CampaignError as exc:
        raise ApiError(422 if exc.code != "manual_dealer" else 409, exc.code, exc.message) from None
    return Status(201, _out(campaign))


@router.get("/{campaign_id}", response={200: CampaignOut, **ERRORS}, summary="A campaign")
def detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = (
        Campaign.objects.for_dealer(request_dealer(request))
        .select_related("dealer")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise ApiError(404, "not_found", "No such campaign.")
    return _out(campaign)
