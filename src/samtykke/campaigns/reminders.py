"""The one optional reminder, N days after the start, to those who have not answered."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from samtykke.campaigns import dispatch
from samtykke.campaigns.models import Campaign, Recipient
from samtykke.consent.models import ConsentEvent, PersonalLink, Source


def start_reminders(campaign_id: int) -> int:
    """Mark who gets the reminder and set the campaign sending again. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        if not Campaign.all_dealers.filter(
            pk=campaign_id, status=Campaign.Status.DONE, reminder_started_at__isnull=True
        ).update(status=Campaign.Status.SENDING, reminder_started_at=now, finished_at=None):
            return 0
        campaign = Campaign.all_dealers.get(pk=campaign_id)
        answered = ConsentEvent.objects.for_dealer(campaign.dealer_id).filter(
            customer=OuterRef("customer_id"),
            source=Source.PORTAL,
            recorded_at__gte=campaign.started_at or campaign.created_at,
        )
        usable = PersonalLink.objects.for_dealer(campaign.dealer_id).filter(
            pk=OuterRef("personal_link_id"), revoked_at__isnull=True, expires_at__gt=now
        )
        mine = Recipient.objects.for_dealer(campaign.dealer_id).filter(
            campaign_id=campaign_id, reminder=""
        )
        due = mine.filter(
            state__in=[Recipient.State.SENT, Recipient.State.DELIVERED],
        ).filter(~Exists(answered), Exists(usable))
        count = due.update(
            reminder=Recipient.Reminder.PENDING,
            attempts=0,
            next_attempt_at=None,
            claim="",
        )
        mine.update(reminder=Recipient.Reminder.SKIPPED)
        dispatch.kick(campaign_id)
    return count
