"""``samtykke campaign create|start|status``: campaigns without the browser."""

from __future__ import annotations

import argparse
from typing import Any

from samtykke.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("campaign", help="consent campaigns by SMS and e-mail")
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser("create", help="prepare a campaign (a draft): prints its id and size")
    c.add_argument("--dealer", required=True, metavar="SLUG")
    c.add_argument("--years", type=int, help="contact within N years (default: the dealer's)")
    c.add_argument("--channels", default="sms", help="sms, email or sms,email (default sms)")
    c.add_argument("--message", help="SMS text with {fornavn}, {forhandler}, {lenke}")
    c.add_argument("--name", default="")
    c.add_argument("--reminder-days", type=int, default=7, help="0: no reminder (default 7)")
    c.set_defaults(handler=cmd_create)
    c = sub.add_parser("start", help="start sending a draft")
    c.add_argument("id", type=int)
    c.set_defaults(handler=cmd_start)
    c = sub.add_parser("status", help="progress of a campaign")
    c.add_argument("id", type=int)
    c.set_defaults(handler=cmd_status)


def _campaign(campaign_id: int) -> Any:
    from samtykke.campaigns.models import Campaign

    campaign = Campaign.all_dealers.select_related("dealer").filter(pk=campaign_id).first()
    if campaign is None:
        raise CommandError(f"no campaign {campaign_id}")
    return campaign


def cmd_create(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.campaigns.services import CampaignError, create_campaign
    from samtykke.commands import get_dealer

    dealer = get_dealer(args.dealer)
    try:
        campaign = create_campaign(
            dealer=dealer,
            name=args.name,
            channels=[c.strip() for c in args.channels.split(",") if c.strip()],
            years=args.years,
            message=args.message or "",
            reminder_after_days=args.reminder_days or None,
        )
    except CampaignError as exc:
        raise CommandError(exc.message) from None
    print(f"campaign {campaign.pk}: {campaign.recipient_count} recipients")
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.campaigns.services import CampaignError, start

    try:
        campaign = start(_campaign(args.id))
    except CampaignError as exc:
        raise CommandError(exc.message) from None
    print(f"campaign {campaign.pk}: {campaign.status}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.campaigns.stats import progress

    campaign = _campaign(args.id)
    p = progress(campaign)
    print(
        f"campaign {campaign.pk} ({campaign.name}): {campaign.status}; "
        f"{p.total} recipients: {p.pending} waiting, {p.sending} sending, {p.sent} sent, "
        f"{p.delivered} delivered, {p.failed} failed ({p.percent}% done)"
    )
    return 0
