"""Foundation subcommands: migrate, serve, worker, dealer, user, apikey, gdpr-reset, ledger, demo."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from typing import Any

from samtykke.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(handler=cmd_migrate)

    p = subparsers.add_parser("serve", help="serve the web (gunicorn) and a task worker")
    p.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default %(default)s)")
    p.add_argument("--workers", type=_positive, default=2, help="web processes (default 2)")
    p.add_argument("--no-worker", action="store_true", help="serve the web only")
    p.set_defaults(handler=cmd_serve)

    p = subparsers.add_parser("worker", help="run background tasks")
    p.add_argument("--burst", action="store_true", help="work until the queue is empty, then exit")
    p.set_defaults(handler=cmd_worker)

    p = subparsers.add_parser("dealer", help="manage dealers")
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser("create", help="create a dealer")
    c.add_argument("--name", required=True)
    c.add_argument("--org-number", required=True, help="9-digit organisation number")
    c.add_argument("--slug", required=True)
    c.add_argument("--option", choices=["manual", "assisted"], default="manual")
    c.add_argument("--sms-sender", default="")
    c.set_defaults(handler=cmd_dealer_create)

    p = subparsers.add_parser("user", help="manage staff users")
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser("create", help="create a staff user at a dealer")
    c.add_argument("--dealer", required=True, metavar="SLUG")
    c.add_argument("--email", required=True)
    c.add_argument("--role", choices=["admin", "staff"], default="staff")
    c.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    c.set_defaults(handler=cmd_user_create)

    p = subparsers.add_parser("apikey", help="manage API keys")
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser("create", help="create an API key (printed once, on the last line)")
    c.add_argument("--dealer", required=True, metavar="SLUG")
    c.add_argument("--name", default="DMS")
    c.set_defaults(handler=cmd_apikey_create)

    p = subparsers.add_parser("gdpr-reset", help="set every not-yet-asked consent to 'unknown'")
    p.add_argument("--dealer", required=True, metavar="SLUG")
    p.set_defaults(handler=cmd_gdpr_reset)

    p = subparsers.add_parser("ledger", help="the consent ledger")
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser("verify", help="recompute the hash chain and the current view")
    c.add_argument("--dealer", metavar="SLUG", help="one dealer (default: all)")
    c.set_defaults(handler=cmd_ledger_verify)

    p = subparsers.add_parser("demo", help="a fresh demo: SQLite, demo dealer, web and worker")
    p.add_argument("--customers", type=_positive, default=500)
    p.add_argument("--port", type=_positive, default=8000)
    p.add_argument("--database", default="samtykke-demo.sqlite3", help="SQLite file (recreated)")
    p.add_argument("--no-serve", action="store_true", help="seed and exit")
    p.set_defaults(handler=cmd_demo)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return number


def get_dealer(slug: str) -> Any:
    from samtykke.tenancy.models import Dealer

    dealer = Dealer.objects.filter(slug=slug).first()
    if dealer is None:
        raise CommandError(f"no dealer with slug {slug!r}")
    return dealer


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def cmd_dealer_create(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from samtykke.tenancy.models import Dealer
    from samtykke.tenancy.services import create_dealer

    if Dealer.objects.filter(slug=args.slug).exists():
        raise CommandError(f"a dealer with slug {args.slug!r} exists already")
    try:
        dealer = create_dealer(
            name=args.name,
            org_number=args.org_number,
            slug=args.slug,
            consent_option=args.option,
            sms_sender=args.sms_sender,
        )
    except ValidationError as exc:
        raise CommandError(_validation_message(exc)) from None
    print(f"dealer {dealer.slug}: {dealer.name} ({dealer.consent_option})")
    return 0


def _validation_message(exc: Any) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def cmd_user_create(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from samtykke.tenancy.services import add_staff_user

    dealer = get_dealer(args.dealer)
    try:
        validate_email(args.email)
    except ValidationError:
        raise CommandError(f"{args.email!r} is not an e-mail address") from None
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise CommandError("the password must be at least 8 characters")
    user, generated = add_staff_user(
        dealer=dealer, email=args.email, role=args.role, password=password
    )
    print(f"user {user.username} is {args.role} at {dealer.slug}")
    if generated:
        print(f"one-time password: {generated}")
    return 0


def cmd_apikey_create(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.tenancy.models import ApiKey

    dealer = get_dealer(args.dealer)
    key, raw = ApiKey.issue(dealer, args.name)
    print(f"API key {key.prefix}… for {dealer.slug} (shown once; store it now):")
    print(raw)
    return 0


def cmd_gdpr_reset(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.consent.actions import gdpr_reset

    dealer = get_dealer(args.dealer)
    count = gdpr_reset(dealer=dealer)
    print(f"gdpr-reset {dealer.slug}: {count} consents set to 'unknown'")
    return 0


def cmd_ledger_verify(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.consent.verify import verify_dealer
    from samtykke.tenancy.models import Dealer

    dealers = [get_dealer(args.dealer)] if args.dealer else list(Dealer.objects.order_by("slug"))
    failed = 0
    for dealer in dealers:
        result = verify_dealer(dealer)
        if result.ok:
            print(f"ok   {dealer.slug}: {result.events} events")
        else:
            failed += 1
            print(f"FAIL {dealer.slug}: {result.problem}")
    return 1 if failed else 0


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if settings.TASKS_BACKEND == "rq":
        call_command(
            "rqworker",
            "default",
            burst=args.burst,
            job_class="django_tasks_rq.Job",
            with_scheduler=True,  # tasks enqueued with run_after need the scheduler
        )
    elif settings.TASKS_BACKEND == "db":
        call_command("db_worker", batch=args.burst, reload=False, interval=0.5, verbosity=0)
    else:
        print("SAMTYKKE_TASKS_BACKEND=immediate runs tasks in the web process; no worker needed.")
    return 0


def run_web_and_worker(bind: str, workers: int, with_worker: bool = True) -> int:
    """gunicorn and a task worker as child processes; stop both when either stops."""
    web = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "samtykke.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
            "--timeout",
            "120",
        ]
    )
    children = [web]
    if with_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "samtykke.cli", "worker"]))

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DEBUG:
        print("note: SAMTYKKE_DEBUG is on; do not serve customers like this.")
    call_command("migrate", interactive=False, verbosity=0)
    return run_web_and_worker(args.bind, args.workers, not args.no_worker)


def cmd_demo(args: argparse.Namespace) -> int:
    from samtykke.demo import prepare_environment

    database = prepare_environment(args.database, args.port)
    setup_django()
    from samtykke.demo import seed

    summary = seed(customers=args.customers)
    print(summary.describe(database=database, port=args.port))
    if args.no_serve:
        return 0
    print(f"Serving on http://127.0.0.1:{args.port}/ — Ctrl+C stops.", flush=True)
    return run_web_and_worker(f"127.0.0.1:{args.port}", 2)
