"""Reading what the Markedsføring panel shows: purposes, channels and the current status."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from samtykke.consent.models import Channel, ConsentState, NoticeVersion, Purpose, Status
from samtykke.consent.selectors import current_states
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer


def ui_language() -> str:
    language = (get_language() or "nb")[:2]
    return language if language in ("nb", "nn", "en") else "nb"


def purpose_channels(dealer: Dealer, *, active_only: bool = True) -> list[tuple[Purpose, Channel]]:
    purposes = Purpose.objects.for_dealer(dealer).prefetch_related("channels").order_by("order")
    if active_only:
        purposes = purposes.filter(active=True)
    return [(p, c) for p in purposes for c in p.channels.all()]


def dealer_channels(pairs: list[tuple[Purpose, Channel]]) -> list[Channel]:
    seen: dict[int, Channel] = {}
    for _, channel in pairs:
        seen.setdefault(channel.pk, channel)
    return sorted(seen.values(), key=lambda c: (c.order, c.key))


def notice_versions(dealer: Dealer) -> list[NoticeVersion]:
    return list(
        NoticeVersion.objects.for_dealer(dealer)
        .select_related("notice", "dealer")
        .order_by("language", "-version")
    )


@dataclass(frozen=True)
class PanelRow:
    purpose: Purpose
    channel: Channel
    purpose_label: str
    channel_label: str
    state: ConsentState | None

    @property
    def status(self) -> str:
        return self.state.status if self.state else Status.UNKNOWN

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def panel_rows(dealer: Dealer, customer: Customer) -> list[PanelRow]:
    language = ui_language()
    states = {(s.purpose_id, s.channel_id): s for s in current_states(dealer, customer)}
    return [
        PanelRow(p, c, p.label(language), c.label(language), states.get((p.pk, c.pk)))
        for p, c in purpose_channels(dealer)
    ]
