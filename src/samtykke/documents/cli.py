"""``samtykke print-forms``: a batch of pre-filled consent forms as one PDF."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from samtykke.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "print-forms",
        help="print pre-filled consent forms (one PDF)",
        description="Print pre-filled paper consent forms for customers, or for every customer "
        "with an order on a date (one form per order, with the order's reference).",
    )
    p.add_argument("--dealer", required=True, metavar="SLUG")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--customer", action="append", metavar="NUMBER", help="customer number (repeatable)"
    )
    which.add_argument("--orders-on", metavar="DATE", type=_date, help="YYYY-MM-DD or DD.MM.YYYY")
    p.add_argument("--language", choices=["nb", "nn", "en"], help="default: the dealer's")
    p.add_argument("--output", required=True, metavar="FILE.pdf", type=Path)
    p.set_defaults(handler=cmd_print_forms)


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)")


def cmd_print_forms(args: argparse.Namespace) -> int:
    output: Path = args.output
    if output.suffix.lower() != ".pdf":
        raise CommandError(f"--output {output}: the file name must end in .pdf")
    if not output.parent.is_dir():
        raise CommandError(f"--output {output}: the folder {output.parent} does not exist")
    setup_django()
    from samtykke.commands import get_dealer
    from samtykke.documents.batch import forms_for_customer_numbers, forms_for_orders_on
    from samtykke.documents.consent_form import render_consent_forms

    dealer = get_dealer(args.dealer)
    if args.customer:
        requests, missing = forms_for_customer_numbers(dealer, args.customer, args.language)
        if missing:
            raise CommandError(f"{dealer.slug} has no customer number {', '.join(missing)}")
    else:
        requests = forms_for_orders_on(dealer, args.orders_on, args.language)
        if not requests:
            raise CommandError(f"{dealer.slug} has no orders on {args.orders_on:%Y-%m-%d}")
    pdf = render_consent_forms(dealer=dealer, requests=requests)
    output.write_bytes(pdf)
    print(f"{len(requests)} forms written to {output} ({len(pdf) // 1024} kB)")
    return 0
