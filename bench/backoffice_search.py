"""Customer-register search in the back office, as a ratio to a bare indexed SELECT.

    uv run python bench/backoffice_search.py              # SQLite (a temporary file)
    uv run python bench/backoffice_search.py --postgres   # PostgreSQL (database samtykke_backoffice)

Loads one dealer with 200,000 customers (bulk; on PostgreSQL kept between runs: the data is
reused when it is already there), gives consent to 1 % of them through consent.actions, then
times the whole request for GET /kunder/?… (session, access check, search, template) through
Django's test client: median over the repetitions. The baseline, in the same run, is a bare
indexed SELECT of one customer by customer number through a raw cursor.
Target (issue 3): under 200 ms per search.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

DB_NAME = "samtykke_backoffice"
SLUG = "bench-search"
FIRST = ["Kari", "Ola", "Ingrid", "Per", "Åse", "Øyvind", "Nils", "Marit", "Jon", "Sigrid"]
FIRST += ["Lars", "Anne", "Bjørn", "Hilde", "Erik", "Tone", "Knut", "Liv", "Arne", "Ragnhild"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen"]
LAST += ["Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen"]


def configure(postgres: bool) -> None:
    os.environ["SAMTYKKE_SECRET_KEY"] = "bench-" + "b" * 50
    os.environ["SAMTYKKE_TASKS_BACKEND"] = "immediate"
    os.environ.setdefault("SAMTYKKE_LOG_LEVEL", "WARNING")
    if postgres:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {DB_NAME}")
        os.environ["SAMTYKKE_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["SAMTYKKE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "samtykke.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(count: int) -> Any:
    """The bench dealer with ``count`` customers (made once, reused)."""
    import datetime as dt

    from django.utils import timezone

    from samtykke.consent.actions import Actor, Decision, record_consent
    from samtykke.customers.models import Customer
    from samtykke.tenancy.models import Dealer
    from samtykke.tenancy.services import create_dealer

    dealer = Dealer.objects.filter(slug=SLUG).first()
    if dealer is None:
        dealer = create_dealer(name="Bench Bil AS", org_number="923609016", slug=SLUG)
    have = Customer.objects.for_dealer(dealer).count()
    if have >= count:
        print(f"reusing {have} customers")
        return dealer
    rng = random.Random(2026)
    now = timezone.now()
    started = time.perf_counter()
    rows = []
    for n in range(have, count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            Customer(
                dealer=dealer,
                external_id=f"X{100000 + n}",
                customer_number=str(100000 + n),
                name=f"{first} {last}" if n % 3 else f"{last}, {first}",
                mobile=f"+47{rng.choice('49')}{rng.randrange(10**7):07d}",
                mobile_is_valid=True,
                mobile_is_mobile=True,
                email=f"{first}.{last}{n}@example.no".lower(),
                email_is_valid=True,
                last_contact_at=now - dt.timedelta(days=rng.randrange(3650)),
            )
        )
        if len(rows) == 10_000:
            Customer.objects.bulk_create(rows)
            rows = []
    Customer.objects.bulk_create(rows)
    print(f"loaded {count - have} customers in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    chosen = list(Customer.objects.for_dealer(dealer).order_by("pk")[:: max(count // 2000, 1)])
    for customer in chosen:
        record_consent(
            dealer=dealer,
            customer=customer,
            decisions=[Decision("marketing", "sms", "given")],
            source="staff",
            actor=Actor.system("bench"),
        )
    print(f"recorded consent for {len(chosen)} customers in {time.perf_counter() - started:.1f} s")
    return dealer


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    configure(args.postgres)

    from django.db import connection
    from django.test import Client

    from samtykke.tenancy.services import add_staff_user

    dealer = load(args.customers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer; ANALYZE consent_consentstate")
    user, _ = add_staff_user(dealer=dealer, email="bench@bench.no", password="bench-password-1")
    client = Client()
    client.force_login(user)
    assert client.get("/kunder/").status_code == 200

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, name FROM customers_customer WHERE dealer_id = %s AND customer_number = %s",
                [dealer.pk, "150123"],
            )
            cursor.fetchall()

    from samtykke.backoffice.search import CustomerFilter, search_page

    baseline = median_ms(bare, args.repeat * 4)
    searches = {
        "first page (no query)": {},
        "name prefix 'kari'": {"q": "kari"},
        "name prefix 'Hansen, Ol'": {"q": "Hansen, Ol"},
        "mobile typed '912 34 5'": {"q": "912 34 5"},
        "e-mail prefix 'per.berg1'": {"q": "per.berg1"},
        "customer number '150123'": {"q": "150123"},
        "external id 'X150123'": {"q": "X150123"},
        "SMS given + contact 5 years": {"status_sms": "given", "contact": "5"},
        "'kari' + e-mail not asked": {"q": "kari", "status_email": "not_asked"},
        "page 40 of 'a'": {"q": "a", "page": "40"},
        "anywhere in the name 'sen' (scan)": {"q": "sen", "everywhere": "on"},
        "nothing starts so → broad 'ersen, ' (scan)": {"q": "ersen, "},
    }
    print(f"\n{connection.vendor}, {args.customers} customers, median of {args.repeat} requests")
    print(f"baseline: bare indexed SELECT by customer number: {baseline:.2f} ms\n")
    print("request: the whole GET /kunder/?… (session, access, search, template)")
    print("search: search_page() alone (the database work); base: the bare SELECT, re-measured")
    print(f"{'search':<44} {'request':>9} {'search':>8} {'base':>6} {'ratio':>7}")
    channels = {"sms": 1, "email": 2}
    for label, params in searches.items():
        request_ms = median_ms(lambda p=params: client.get("/kunder/", p), args.repeat)
        statuses = tuple((channels[k[7:]], v) for k, v in params.items() if k.startswith("status_"))
        spec = CustomerFilter(
            query=params.get("q", ""),
            everywhere="everywhere" in params,
            statuses=statuses,
            contact_within_years=int(params["contact"]) if "contact" in params else None,
        )
        offset = (int(params.get("page", "1")) - 1) * 25
        search_ms = median_ms(lambda s=spec, o=offset: search_page(dealer, s, o, 26), args.repeat)
        base_ms = median_ms(bare, args.repeat * 4)
        flag = "" if request_ms < 200 else "  over 200 ms"
        print(
            f"{label:<44} {request_ms:9.1f} {search_ms:8.1f} {base_ms:6.2f} "
            f"{request_ms / base_ms:6.0f}x{flag}"
        )


if __name__ == "__main__":
    main()
