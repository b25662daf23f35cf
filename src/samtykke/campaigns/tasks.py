"""Background tasks of campaigns. Thin: each fetches ids and calls dispatch/reminders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from samtykke.campaigns import dispatch
from samtykke.campaigns.models import Campaign


@task()
def send_lane(campaign_id: int) -> None:
    dispatch.drive(campaign_id)


@task()
def watch_campaign(campaign_id: int) -> None:
    dispatch.watch(campaign_id)


@task()
def start_scheduled(campaign_id: int) -> None:
    with transaction.atomic():
        if Campaign.all_dealers.filter(pk=campaign_id, status=Campaign.Status.SCHEDULED).update(
            status=Campaign.Status.SENDING, started_at=timezone.now()
        ):
            dispatch.kick(campaign_id)


@task()
def start_reminder(campaign_id: int) -> None:
    from samtykke.campaigns.reminders import start_reminders

    start_reminders(campaign_id)
