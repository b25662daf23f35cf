"""Writing campaigns: create and prepare (bulk), start, pause, resume, cancel."""

from __future__ import annotations

import copy
import datetime as dt
from array import array
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samtykke.campaigns import links
from samtykke.campaigns.audience import CHANNELS, Audience, channel_for, marketing_purpose
from samtykke.campaigns.message import (
    DEFAULT_EMAIL_MESSAGE,
    DEFAULT_EMAIL_SUBJECT,
    DEFAULT_MESSAGE,
    check_message,
)
from samtykke.campaigns.models import Campaign, Recipient
from samtykke.consent.actions import Actor, _Pending, append_events
from samtykke.consent.models import Channel, PersonalLink, Source, Status
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

PREPARE_CHUNK = 5000
ASKABLE = (Status.UNKNOWN, Status.REQUESTED, Status.EXPIRED, None)


class CampaignError(ValueError):
    """A campaign action refused, with a stable code and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def manual_reason(dealer: Dealer) -> str | None:
    """Why this dealer cannot send a campaign, or None."""
    if dealer.is_assisted:
        return None
    return _(
        "%(dealer)s collects consent manually (staff and the paper form). An SMS campaign needs "
        "the assisted option; the vendor's operators can change it."
    ) % {"dealer": dealer.name}


def check_channels(channels: list[str]) -> list[str]:
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels:
        raise CampaignError(
            "invalid_channels", _("Channels must be sms and/or email, not %(c)s.") % {"c": channels}
        )
    return [c for c in CHANNELS if c in channels]


def create_campaign(
    *,
    dealer: Dealer,
    name: str = "",
    channels: list[str] | None = None,
    years: int | None = None,
    message: str = "",
    email_subject: str = "",
    email_message: str = "",
    reminder_after_days: int | None = 7,
    start_at: dt.datetime | None = None,
    created_by: Any = None,
) -> Campaign:
    """Check the message, save the campaign and prepare its recipients (a draft until started)."""
    channels = check_channels(channels or ["sms"])
    years = years or dealer.contact_window_years
    if not 1 <= years <= 30:
        raise CampaignError("invalid_years", _("The contact window must be 1 to 30 years."))
    message = message or DEFAULT_MESSAGE
    problems = check_message(message, dealer)
    if "email" in channels:
        email_message = email_message or DEFAULT_EMAIL_MESSAGE
        email_subject = email_subject or DEFAULT_EMAIL_SUBJECT
        problems += [_("E-mail: %(p)s") % {"p": p} for p in check_message(email_message, dealer)]
    if problems:
        raise CampaignError("message_refused", " ".join(problems))
    if start_at is not None and timezone.is_naive(start_at):
        raise CampaignError("naive_time", _("The start time needs a time zone."))
    campaign = Campaign.objects.create(
        dealer=dealer,
        name=name or _("Consent campaign %(date)s") % {"date": timezone.localdate().isoformat()},
        channels=channels,
        contact_window_years=years,
        message=message,
        email_subject=email_subject,
        email_message=email_message,
        reminder_after_days=reminder_after_days,
        start_at=start_at,
        created_by=created_by,
    )
    prepare(campaign)
    return campaign


def _audience_snapshot(audience: Audience) -> array[int]:
    """Every customer the campaign asks, read in one query before anything is written (a
    snapshot: chunked re-reads would scan the links this very preparation adds). Encoded
    compactly: the customer id, negative when the customer is reached by e-mail."""
    ids: array[int] = array("q")
    rows = (
        audience.customers()
        .order_by("pk")
        .values_list("pk", "mobile_is_valid", "mobile_is_mobile", "email_is_valid")
    )
    for pk, mobile_valid, is_mobile, email_valid in rows.iterator(chunk_size=20000):
        channel = channel_for(mobile_valid and is_mobile, email_valid, audience.channels)
        if channel:
            ids.append(pk if channel == "sms" else -pk)
    return ids


def _customer(template: Customer, pk: int) -> Customer:
    """A stand-in carrying only the id (what the ledger needs), without Model.__init__."""
    customer = copy.copy(template)
    customer.pk = pk
    return customer


def prepare(campaign: Campaign) -> int:
    """Recipients, personal links and a ``requested`` event each, in bulk, chunk by chunk.

    Each chunk is one transaction (the ledger is locked only that long). Running it again after
    a failure continues: customers asked already are no longer in the audience. A customer who
    answers in between still gets a recipient row, but no ``requested`` event over the answer.
    """
    dealer = campaign.dealer
    purpose = marketing_purpose(dealer)
    channels = tuple(campaign.channels)
    channel_rows = {c.key: c for c in Channel.objects.filter(key__in=channels)}
    audience = Audience(dealer, purpose, channels, campaign.contact_window_years)
    actor = Actor.system("campaign")
    snapshot = _audience_snapshot(audience)
    template = Customer(dealer_id=dealer.pk)
    for start in range(0, len(snapshot), PREPARE_CHUNK):
        now = timezone.now()
        expires = now + dt.timedelta(days=campaign.link_days)
        people = [
            (abs(code), "sms" if code > 0 else "email")
            for code in snapshot[start : start + PREPARE_CHUNK]
        ]
        nonces = [links.new_nonce() for _ in people]
        personal_links = [
            PersonalLink(
                dealer_id=dealer.pk,
                customer_id=pk,
                token_hash=links.token_and_hash(nonce)[1],
                origin=PersonalLink.Origin.CAMPAIGN,
                created_at=now,
                expires_at=expires,
            )
            for (pk, _ch), nonce in zip(people, nonces, strict=True)
        ]
        with transaction.atomic():
            PersonalLink.all_dealers.bulk_create(personal_links, batch_size=2000)
            recipients = Recipient.all_dealers.bulk_create(
                [
                    Recipient(
                        dealer_id=dealer.pk,
                        campaign_id=campaign.pk,
                        customer_id=pk,
                        channel=ch,
                        personal_link_id=link.pk,
                        link_nonce=nonce,
                    )
                    for (pk, ch), nonce, link in zip(people, nonces, personal_links, strict=True)
                ],
                batch_size=2000,
            )
            items = [
                _Pending(
                    _customer(template, r.customer_id),
                    purpose,
                    channel,
                    Status.REQUESTED,
                    None,
                    False,
                    {"campaign": campaign.pk, "recipient": r.pk},
                )
                for r in recipients
                for channel in channel_rows.values()
            ]
            append_events(
                dealer=dealer,
                items=items,
                source=Source.SYSTEM,
                actor=actor,
                occurred_at=now,
                only_if_current_in=ASKABLE,
            )
    count = Recipient.objects.for_dealer(dealer).filter(campaign=campaign).count()
    Campaign.all_dealers.filter(pk=campaign.pk).update(recipient_count=count)
    campaign.recipient_count = count
    return count


def start(campaign: Campaign) -> Campaign:
    """Send now, or at ``start_at`` when that is still ahead."""
    from samtykke.campaigns import dispatch

    reason = manual_reason(campaign.dealer)
    if reason:
        raise CampaignError("manual_dealer", reason)
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignError(
            "not_draft",
            _("Only a draft can be started (this one is %(s)s).") % {"s": campaign.status},
        )
    now = timezone.now()
    later = campaign.start_at is not None and campaign.start_at > now
    with transaction.atomic():
        status = Campaign.Status.SCHEDULED if later else Campaign.Status.SENDING
        changed = Campaign.all_dealers.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
            status=status, started_at=None if later else now
        )
        if not changed:
            raise CampaignError("not_draft", _("The campaign was started already."))
        if later:
            dispatch.schedule_start(campaign.pk, campaign.start_at)  # type: ignore[arg-type]
        else:
            dispatch.kick(campaign.pk)
    campaign.refresh_from_db()
    return campaign


def pause(campaign: Campaign) -> bool:
    return bool(
        Campaign.all_dealers.filter(
            pk=campaign.pk, status__in=[Campaign.Status.SENDING, Campaign.Status.SCHEDULED]
        ).update(status=Campaign.Status.PAUSED)
    )


def resume(campaign: Campaign) -> bool:
    from samtykke.campaigns import dispatch

    with transaction.atomic():
        changed = Campaign.all_dealers.filter(pk=campaign.pk, status=Campaign.Status.PAUSED).update(
            status=Campaign.Status.SENDING, started_at=campaign.started_at or timezone.now()
        )
        if changed:
            dispatch.kick(campaign.pk)
    return bool(changed)


def cancel(campaign: Campaign) -> bool:
    """Stop for good: those not sent yet are not sent, and their links are revoked."""
    with transaction.atomic():
        changed = Campaign.all_dealers.filter(
            pk=campaign.pk, status__in=[c for c in Campaign.Status.values if c != "cancelled"]
        ).update(status=Campaign.Status.CANCELLED, finished_at=timezone.now())
        if not changed:
            return False
        unsent = Recipient.objects.for_dealer(campaign.dealer).filter(
            campaign=campaign, state=Recipient.State.PENDING
        )
        PersonalLink.objects.for_dealer(campaign.dealer).filter(
            pk__in=unsent.values("personal_link_id")
        ).update(revoked_at=timezone.now())
        unsent.update(state=Recipient.State.CANCELLED)
        Recipient.objects.for_dealer(campaign.dealer).filter(
            Q(campaign=campaign), Q(reminder=Recipient.Reminder.PENDING)
        ).update(reminder=Recipient.Reminder.SKIPPED)
    return True
