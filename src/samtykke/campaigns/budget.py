"""The dealer's throughput limit (``Dealer.sms_per_minute``), shared by all its campaigns.

A fixed one-minute window in one row per dealer: a batch takes what it may send, gives back what
it did not use, and waits for the next window when none is left. Several workers on several
machines share the row, so the limit holds for the dealer, not per process.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from samtykke.campaigns.models import SendingBudget
from samtykke.tenancy.models import Dealer

WINDOW = dt.timedelta(minutes=1)


def take(dealer: Dealer, want: int) -> tuple[int, dt.datetime]:
    """(how many may be sent now, when the window ends)."""
    now = timezone.now()
    with transaction.atomic():
        budget, _ = SendingBudget.objects.select_for_update().get_or_create(dealer=dealer)
        if budget.window_start + WINDOW <= now:
            budget.window_start, budget.used = now, 0
        allowed = max(0, min(want, dealer.sms_per_minute - budget.used))
        budget.used += allowed
        budget.save(update_fields=["window_start", "used"])
    return allowed, budget.window_start + WINDOW


def give_back(dealer: Dealer, unused: int) -> None:
    if unused > 0:
        SendingBudget.objects.filter(dealer=dealer).update(used=Greatest(F("used") - unused, 0))
