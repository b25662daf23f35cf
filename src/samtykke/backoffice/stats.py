"""The overview's figures: consent per channel, given per week, reachable customers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from samtykke.consent.models import Channel, ConsentEvent, ConsentState, Purpose, Status
from samtykke.tenancy.models import Dealer

WEEKS = 12


@dataclass
class ChannelCounts:
    purpose: Purpose
    channel: Channel
    purpose_label: str = ""
    channel_label: str = ""
    given: int = 0
    refused: int = 0
    withdrawn: int = 0
    waiting: int = 0  # requested, pending, expired: asked, no answer (yet)
    not_asked: int = 0


@dataclass
class WeekBar:
    start: dt.date
    given: int
    withdrawn: int
    x: float = 0
    height_given: float = 0
    height_withdrawn: float = 0
    y_given: float = 0
    y_withdrawn: float = 0


@dataclass
class Chart:
    bars: list[WeekBar] = field(default_factory=list)
    top: int = 0
    width: int = 640
    height: int = 200
    ticks: list[tuple[float, int]] = field(default_factory=list)
    label_y: float = 0


def channel_counts(
    dealer: Dealer, pairs: list[tuple[Purpose, Channel]], customers: int, language: str = "nb"
) -> list[ChannelCounts]:
    grouped = (
        ConsentState.objects.for_dealer(dealer)
        .filter(customer__erased_at__isnull=True)
        .values("purpose_id", "channel_id", "status")
        .annotate(n=Count("pk"))
    )
    counts = {
        (p.pk, c.pk): ChannelCounts(p, c, p.label(language), c.label(language)) for p, c in pairs
    }
    for row in grouped:
        entry = counts.get((row["purpose_id"], row["channel_id"]))
        if entry is None:
            continue
        status, n = row["status"], row["n"]
        if status in (Status.GIVEN, Status.REFUSED, Status.WITHDRAWN):
            setattr(entry, status, n)
        elif status != Status.UNKNOWN:
            entry.waiting += n
    for entry in counts.values():
        answered = entry.given + entry.refused + entry.withdrawn + entry.waiting
        entry.not_asked = max(customers - answered, 0)
    return list(counts.values())


def weekly_chart(dealer: Dealer, weeks: int = WEEKS) -> Chart:
    """Consent given and withdrawn per week (Monday to Sunday) over the last ``weeks`` weeks."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    per_day = (
        ConsentEvent.objects.for_dealer(dealer)
        .filter(occurred_at__gte=since, status__in=[Status.GIVEN, Status.WITHDRAWN])
        .annotate(day=TruncDate("occurred_at"))
        .values("day", "status")
        .annotate(n=Count("pk"))
    )
    bars = [WeekBar(first + dt.timedelta(weeks=i), 0, 0) for i in range(weeks)]
    for row in per_day:
        index = (row["day"] - first).days // 7
        if 0 <= index < weeks:
            if row["status"] == Status.GIVEN:
                bars[index].given += row["n"]
            else:
                bars[index].withdrawn += row["n"]
    chart = Chart(bars=bars)
    chart.top = max([b.given + b.withdrawn for b in bars] + [1])
    plot_top = 12
    plot_height = chart.height - 30 - plot_top
    slot = (chart.width - 40) / weeks
    for i, bar in enumerate(bars):
        bar.x = round(40 + i * slot + slot * 0.15, 1)
        bar.height_given = round(plot_height * bar.given / chart.top, 1)
        bar.height_withdrawn = round(plot_height * bar.withdrawn / chart.top, 1)
        bar.y_given = round(plot_top + plot_height - bar.height_given, 1)
        bar.y_withdrawn = round(bar.y_given - bar.height_withdrawn, 1)
    fractions = (0, 0.5, 1) if chart.top >= 4 else (0, 1)
    chart.ticks = [
        (round(plot_top + plot_height * (1 - f), 1), round(chart.top * f)) for f in fractions
    ]
    chart.label_y = plot_top + plot_height + 16
    return chart


def bar_width(chart: Chart) -> float:
    return round((chart.width - 40) / max(len(chart.bars), 1) * 0.7, 1)


@dataclass(frozen=True)
class Reach:
    customers: int
    sms: int
    email: int

    def share(self, n: int) -> float:
        return round(100 * n / self.customers, 1) if self.customers else 0.0


def reachable(dealer: Dealer, purpose: Purpose | None, total: int) -> Reach:
    """Customers who may get marketing: consent given for the channel and a usable address."""
    if purpose is None:
        return Reach(total, 0, 0)
    given = ConsentState.objects.for_dealer(dealer).filter(
        purpose=purpose, status=Status.GIVEN, customer__erased_at__isnull=True
    )
    sms = given.filter(
        channel__key="sms", customer__mobile_is_valid=True, customer__mobile_is_mobile=True
    ).count()
    email = given.filter(channel__key="email", customer__email_is_valid=True).count()
    return Reach(total, sms, email)
