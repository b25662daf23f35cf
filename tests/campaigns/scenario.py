"""Run in a subprocess against the scenario's own database: ``python -m tests.campaigns.scenario
seed N`` creates a dealer with N customers, prepares a campaign and starts it (the tasks wait in
the queue for the workers the test starts)."""

from __future__ import annotations

import datetime as dt
import sys


def seed(customers: int) -> int:
    from django.core.management import call_command
    from django.utils import timezone

    from samtykke.campaigns.services import create_campaign, start
    from samtykke.customers.models import Customer
    from samtykke.tenancy.models import Dealer
    from samtykke.tenancy.services import create_dealer

    call_command("migrate", interactive=False, verbosity=0)
    dealer = create_dealer(
        name="Bilhuset Nord AS",
        org_number="923609016",
        slug="bilhuset-nord",
        consent_option=Dealer.ConsentOption.ASSISTED,
        sms_sender="BilhusNord",
        sending_hours=None,
    )
    Dealer.objects.filter(pk=dealer.pk).update(sms_per_minute=10_000_000)
    dealer.refresh_from_db()
    now = timezone.now()
    Customer.objects.bulk_create(
        [
            Customer(
                dealer=dealer,
                external_id=f"C{n}",
                name=f"Kari Nordmann{n}",
                mobile=f"+479{n:07d}",
                mobile_is_valid=True,
                mobile_is_mobile=True,
                last_contact_at=now - dt.timedelta(days=30),
            )
            for n in range(customers)
        ],
        batch_size=2000,
    )
    campaign = create_campaign(dealer=dealer, channels=["sms"], reminder_after_days=None)
    start(campaign)
    return campaign.pk


if __name__ == "__main__":
    from samtykke.cli import setup_django

    setup_django()
    if sys.argv[1] == "seed":
        print(seed(int(sys.argv[2])))
