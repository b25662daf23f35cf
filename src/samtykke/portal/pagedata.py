"""What every page of one dealer shares: the dealer, its purposes with their channels, its notices
(and the parts of pages rendered from them alone, see ``templatetags/portal_fragments.py``).

Read on every page view, changed a few times a year, so each process keeps it for
``TTL_SECONDS``. A change saved in this process forgets it at once (signals below); another
process sees it within the TTL. Staleness is harmless for proof: the page posts the notice
version it showed and that is what gets recorded; a purpose retired meanwhile is refused by
``record_consent`` and the page asks the customer to look again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from samtykke.consent.models import Channel, Notice, NoticeVersion, Purpose
from samtykke.consent.notices import NoticeError, newest_notice_versions, pick_notice_version
from samtykke.tenancy.models import Dealer

TTL_SECONDS = 30.0


@dataclass(frozen=True)
class DealerPage:
    dealer: Dealer
    purposes: list[tuple[Purpose, list[Channel]]]
    notices: dict[str, NoticeVersion]  # the newest consent notice version per language
    # Parts of pages rendered for this dealer ({% dealer_fragment %}), by name, language, keys.
    fragments: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False)

    def notice(self, dealer: Dealer, language: str) -> NoticeVersion:
        """As ``consent.notices.current_notice_version``: the language, else the default."""
        found = pick_notice_version(self.notices, language, dealer.default_language)
        if found is None:
            raise NoticeError(f"Dealer {dealer.slug} has no published notice 'consent'.")
        return found


_pages: dict[int, tuple[float, DealerPage]] = {}


def dealer_page(dealer: Dealer | int) -> DealerPage:
    dealer_id = dealer if isinstance(dealer, int) else dealer.pk
    now = time.monotonic()
    cached = _pages.get(dealer_id)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    page = _load(Dealer.objects.get(pk=dealer_id))
    _pages[dealer_id] = (now, page)
    return page


def _load(dealer: Dealer) -> DealerPage:
    purposes = [
        (purpose, sorted(purpose.channels.all(), key=lambda c: (c.order, c.key)))
        for purpose in Purpose.objects.for_dealer(dealer)
        .filter(active=True)
        .prefetch_related("channels")
    ]
    return DealerPage(dealer, purposes, newest_notice_versions(dealer))


def forget(dealer_id: int | None = None) -> None:
    if dealer_id is None:
        _pages.clear()
    else:
        _pages.pop(dealer_id, None)


@receiver(post_save, sender=NoticeVersion, dispatch_uid="portal.pagedata.notice_version")
@receiver(post_save, sender=Notice, dispatch_uid="portal.pagedata.notice")
@receiver(post_save, sender=Purpose, dispatch_uid="portal.pagedata.purpose")
@receiver(post_delete, sender=Purpose, dispatch_uid="portal.pagedata.purpose_deleted")
def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget(getattr(instance, "dealer_id", None))


@receiver(m2m_changed, sender=Purpose.channels.through, dispatch_uid="portal.pagedata.channels")
def _channels_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget(instance.dealer_id if isinstance(instance, Purpose) else None)


@receiver(post_save, sender=Channel, dispatch_uid="portal.pagedata.channel")
@receiver(post_save, sender=Dealer, dispatch_uid="portal.pagedata.dealer")
def _everything_changed(sender: Any, **kwargs: Any) -> None:
    forget()
