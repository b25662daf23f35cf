"""``samtykke import customers FILE --dealer SLUG [--mapping FILE] [--dry-run]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from samtykke.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("import", help="import from a DMS export")
    sub = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    c = sub.add_parser(
        "customers",
        help="customers (and their orders) from a CSV export",
        description="Import customers and orders from a DMS export (UTF-8, Windows-1252 or "
        "ISO-8859-1; separated by semicolon, comma or tab). Every row is checked first: with a "
        "bad row nothing is imported unless --skip-bad-rows is given.",
    )
    c.add_argument("file", type=Path, metavar="FILE")
    c.add_argument("--dealer", required=True, metavar="SLUG")
    c.add_argument("--mapping", type=Path, metavar="FILE", help='JSON: {"field": "header", …}')
    c.add_argument("--orders", type=Path, metavar="FILE", help="orders in a second file")
    c.add_argument("--orders-mapping", type=Path, metavar="FILE")
    c.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    c.add_argument("--skip-bad-rows", action="store_true", help="import the good rows only")
    c.set_defaults(handler=cmd_import_customers)


class ProgressBar:
    """A one-line progress bar on a terminal (plain lines elsewhere, at most every 5 s)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream, self.width = stream or sys.stderr, width
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.tty and done < total and now - self.last < 5:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {done}/{total} ({share:.0%}, {now - self.started:.1f} s)"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None


def _mapping(path: Path | None, headers: list[str], label: str) -> Any:
    from samtykke.imports.mapping import Mapping, MappingError, propose_mapping

    if path is None:
        mapping = propose_mapping(headers)
        print(f"Proposed mapping for the {label} (save it, edit it, pass it with --mapping):")
        print(json.dumps(mapping.to_json(), ensure_ascii=False, indent=2))
    else:
        try:
            data = json.loads(_read(path).decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not a JSON mapping ({exc})") from None
        try:
            mapping = Mapping.from_json(data, headers)
        except MappingError as exc:
            raise CommandError(f"{path}: {exc}") from None
    try:
        mapping.check()
    except MappingError as exc:
        raise CommandError(f"{label}: {exc} Columns: {', '.join(headers)}") from None
    return mapping


def cmd_import_customers(args: argparse.Namespace) -> int:
    data = _read(args.file)
    orders_data = _read(args.orders) if args.orders else None
    if args.orders_mapping and not args.orders:
        raise CommandError("--orders-mapping needs --orders FILE")
    setup_django()
    from samtykke.commands import get_dealer
    from samtykke.imports.mapping import MappingError
    from samtykke.imports.models import ImportJob
    from samtykke.imports.parsing import ImportFileError, read_upload
    from samtykke.imports.records import RowProblem
    from samtykke.imports.services import (
        create_import_job,
        execute_import_job,
        start_import_job,
    )

    dealer = get_dealer(args.dealer)
    try:
        parsed = read_upload(data)
        orders = read_upload(orders_data) if orders_data else None
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"{args.file}: {parsed.encoding}, separated by {parsed.delimiter_name}, "
        f"{len(parsed.headers)} columns"
    )
    mapping = _mapping(args.mapping, parsed.headers, "customer file")
    orders_mapping = (
        _mapping(args.orders_mapping, orders.headers, "orders file") if orders else None
    )
    job = create_import_job(
        dealer=dealer,
        uploaded_by=None,
        data=data,
        file_name=args.file.name,
        orders_data=orders_data,
        orders_file_name=args.orders.name if args.orders else "",
    )
    try:
        start_import_job(
            job=job,
            mapping=mapping,
            orders_mapping=orders_mapping,
            dry_run=args.dry_run,
            skip_bad_rows=args.skip_bad_rows,
            enqueue=False,
        )
    except MappingError as exc:
        raise CommandError(str(exc)) from None
    status = execute_import_job(job.pk, progress=ProgressBar())
    job = ImportJob.objects.for_dealer(dealer).get(pk=job.pk)
    for problem in job.problems:
        print(f"  {RowProblem.from_json(problem)}")
    if job.problems:
        print(f"{len(job.problems)} bad rows.")
    for line in job.summary.get("lines", []):
        print(line)
    if status == ImportJob.Status.REFUSED:
        print(
            "Nothing was imported: fix the rows above, or run again with --skip-bad-rows to "
            "import the good rows only.",
            file=sys.stderr,
        )
        return 1
    if status == ImportJob.Status.FAILED:
        print(f"The import failed: {job.error}", file=sys.stderr)
        return 1
    if args.dry_run:
        print("Dry run: nothing was written.")
        return 1 if job.problems else 0
    print(f"Import {job.pk} done.")
    return 0
