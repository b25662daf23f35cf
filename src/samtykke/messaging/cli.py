"""``samtykke outbox`` (what the outbox backend kept) and ``samtykke sms-route`` (inbound URLs)."""

from __future__ import annotations

import argparse
from typing import Any

from samtykke.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "outbox", help="the outbox backend's SMS messages: number and text, one per line"
    )
    p.add_argument("--campaign", type=int, metavar="ID", help="only this campaign's messages")
    p.add_argument("--dealer", metavar="SLUG", help="only this dealer's messages")
    p.add_argument(
        "--deliver",
        action="store_true",
        help="play the provider: report these messages as delivered (demo)",
    )
    p.set_defaults(handler=cmd_outbox)

    p = subparsers.add_parser(
        "sms-route", help="make a dealer's inbound SMS URL (for STOPP replies); printed once"
    )
    p.add_argument("--dealer", required=True, metavar="SLUG")
    p.add_argument("--provider", required=True, choices=["twilio", "linkmobility", "sveve"])
    p.set_defaults(handler=cmd_sms_route)


def _dealer(slug: str) -> Any:
    from samtykke.tenancy.models import Dealer

    dealer = Dealer.objects.filter(slug=slug).first()
    if dealer is None:
        raise CommandError(f"no dealer with slug {slug!r}")
    return dealer


def cmd_outbox(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.messaging.models import OutboxMessage

    messages = OutboxMessage.all_dealers.order_by("id")
    if args.dealer:
        messages = OutboxMessage.objects.for_dealer(_dealer(args.dealer)).order_by("id")
    if args.campaign is not None:
        messages = messages.filter(campaign_id=args.campaign)
    if args.deliver:
        from samtykke.messaging.sms.outbox import simulate_delivery

        print(f"{simulate_delivery(messages)} reported as delivered")
        return 0
    for m in messages.iterator(chunk_size=2000):
        print(f"{m.to} {' '.join(m.body.split())}")
    return 0


def cmd_sms_route(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.urls import reverse

    from samtykke.messaging.models import InboundRoute

    dealer = _dealer(args.dealer)
    _, secret = InboundRoute.issue(dealer, args.provider)
    path = reverse(f"messaging:{args.provider}_inbound", kwargs={"secret": secret})
    print(f"Inbound SMS URL for {dealer.slug} at {args.provider} (shown once):")
    print(f"{settings.PUBLIC_URL}{path}")
    return 0
