"""Campaigns through the webservice, so a DMS can start one: ``POST /api/v1/campaigns``,
``GET /api/v1/campaigns/{id}``. Scoped to the API key's dealer; another dealer's campaign is a
404; a dealer on the manual option gets a 409 that says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from samtykke.api.auth import request_dealer
from samtykke.api.v1 import ApiError
from samtykke.campaigns.models import Campaign
from samtykke.campaigns.services import CampaignError, create_campaign, manual_reason, start
from samtykke.campaigns.stats import progress

PREFIX = "/campaigns"
router = Router(tags=["campaigns"])


class CampaignIn(Schema):
    name: str = Field("", max_length=200)
    channels: list[str] = Field(default_factory=lambda: ["sms"])
    years: int | None = Field(None, ge=1, le=30, description="contact within N years")
    message: str = Field("", max_length=1000, description="{fornavn}, {forhandler}, {lenke}")
    email_subject: str = Field("", max_length=200)
    email_message: str = Field("", max_length=5000)
    reminder_after_days: int | None = Field(7, ge=1, le=60)
    start: bool = Field(False, description="start sending at once (or at start_at)")
    start_at: dt.datetime | None = None


class ProgressOut(Schema):
    total: int
    pending: int
    sending: int
    sent: int
    delivered: int
    failed: int
    cancelled: int
    percent: int


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    channels: list[str]
    contact_window_years: int
    message: str
    recipients: int
    start_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    reminder_after_days: int | None
    progress: ProgressOut


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


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
    response={201: CampaignOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
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


@router.get("/{campaign_id}", response={200: CampaignOut, 404: ErrorOut}, summary="A campaign")
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
