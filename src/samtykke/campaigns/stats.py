"""Numbers of a campaign: progress, the dashboard's funnel and its curve over time, CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncHour

from samtykke.campaigns.models import Campaign, Recipient
from samtykke.consent.models import ConsentEvent, PersonalLink, Source, Status


@dataclass(frozen=True)
class Progress:
    total: int
    pending: int
    sending: int
    sent: int  # sent and not (yet) reported delivered
    delivered: int
    failed: int
    cancelled: int

    @property
    def done(self) -> int:
        return self.sent + self.delivered + self.failed + self.cancelled

    @property
    def out(self) -> int:
        """Messages that went out (delivered ones included)."""
        return self.sent + self.delivered

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(campaign: Campaign) -> Progress:
    counts = dict(
        Recipient.objects.for_dealer(campaign.dealer_id)
        .filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return Progress(
        total=sum(counts.values()),
        pending=counts.get("pending", 0),
        sending=counts.get("sending", 0),
        sent=counts.get("sent", 0),
        delivered=counts.get("delivered", 0),
        failed=counts.get("failed", 0),
        cancelled=counts.get("cancelled", 0),
    )


@dataclass(frozen=True)
class Dashboard:
    progress: Progress
    opened: int
    answered: int
    answers: dict[str, dict[str, int]]  # channel → {"given": n, "refused": n}
    funnel: list[tuple[str, int]]
    timeline: list[tuple[dt.datetime, int, int, int]]  # hour, sent, opened, answered


def _answers(campaign: Campaign) -> Q:
    return Q(
        source=Source.PORTAL,
        recorded_at__gte=campaign.started_at or campaign.created_at,
        customer__in=Recipient.objects.for_dealer(campaign.dealer_id)
        .filter(campaign=campaign)
        .values("customer_id"),
    )


def dashboard(campaign: Campaign) -> Dashboard:
    from django.utils.translation import gettext as _

    p = progress(campaign)
    dealer = campaign.dealer_id
    recipients = Recipient.objects.for_dealer(dealer).filter(campaign=campaign)
    links = PersonalLink.objects.for_dealer(dealer).filter(
        pk__in=recipients.values("personal_link_id")
    )
    opened = links.filter(first_opened_at__isnull=False).count()
    events = ConsentEvent.objects.for_dealer(dealer).filter(_answers(campaign))
    answers: dict[str, dict[str, int]] = {}
    for channel, status, n in (
        events.filter(status__in=[Status.GIVEN, Status.REFUSED, Status.PENDING])
        .values_list("channel__key", "status")
        .annotate(n=Count("pk"))
        .values_list("channel__key", "status", "n")
    ):
        bucket = answers.setdefault(channel, {"given": 0, "refused": 0})
        bucket["given" if status in (Status.GIVEN, Status.PENDING) else "refused"] += n
    answered = events.values("customer_id").distinct().count()
    funnel = [
        (_("Recipients"), p.total),
        (_("Sent"), p.out + p.failed),
        (_("Delivered"), p.delivered),
        (_("Opened"), opened),
        (_("Answered"), answered),
    ]
    return Dashboard(p, opened, answered, answers, funnel, timeline(campaign))


def timeline(campaign: Campaign) -> list[tuple[dt.datetime, int, int, int]]:
    """Per hour: messages sent, links opened, customers answering."""
    dealer = campaign.dealer_id
    recipients = Recipient.objects.for_dealer(dealer).filter(campaign=campaign)
    sent = dict(
        recipients.filter(sent_at__isnull=False)
        .annotate(h=TruncHour("sent_at"))
        .values_list("h")
        .annotate(n=Count("pk"))
        .values_list("h", "n")
    )
    opened = dict(
        PersonalLink.objects.for_dealer(dealer)
        .filter(pk__in=recipients.values("personal_link_id"), first_opened_at__isnull=False)
        .annotate(h=TruncHour("first_opened_at"))
        .values_list("h")
        .annotate(n=Count("pk"))
        .values_list("h", "n")
    )
    answered = dict(
        ConsentEvent.objects.for_dealer(dealer)
        .filter(_answers(campaign))
        .annotate(h=TruncHour("recorded_at"))
        .values_list("h")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("h", "n")
    )
    hours = sorted(set(sent) | set(opened) | set(answered))
    return [(h, sent.get(h, 0), opened.get(h, 0), answered.get(h, 0)) for h in hours]
