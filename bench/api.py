"""Benchmarks of API v1, each as a ratio to a plain baseline on the same rows in the same run.

    uv run python bench/api.py [--postgres] [--customers N]

- upsert N customers through POST /customers/bulk (1,000 a call; each new customer also gets
  its two "unknown" ledger events) vs. a plain bulk INSERT of the same customer rows;
- read N events from GET /consent-events (1,000 a page) vs. a plain keyset SELECT of the same
  event rows joined to their customers' external ids;
- POST /consents/check with 10,000 customers vs. a plain SELECT of those customers and states
  (target: under 200 ms server time).
Server time is measured in process through Django's test client (no network).
--postgres uses SAMTYKKE_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
samtykke_api, recreated); otherwise a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BATCH = 1000


def configure(postgres: bool) -> None:
    if postgres:
        url = os.environ.get(
            "SAMTYKKE_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/samtykke_api"
        )
        import psycopg

        admin, name = url.rsplit("/", 1)
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ.update(
        {
            "SAMTYKKE_DATABASE_URL": url,
            "SAMTYKKE_DEBUG": "1",
            "SAMTYKKE_TASKS_BACKEND": "immediate",
            "SAMTYKKE_API_RATE_LIMIT": "100000000",
            "SAMTYKKE_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "samtykke.settings",
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


CPU: list[float] = []  # this process's CPU time of the last timed() call


def timed(fn: Callable[[], Any]) -> float:
    """Wall time; the process's CPU time goes to CPU[-1] (on a busy machine the fairer figure
    for SQLite, where all the work is in this process)."""
    cpu = time.process_time()
    started = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - started
    CPU.append(time.process_time() - cpu)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    configure(args.postgres)

    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from samtykke.consent.models import ConsentEvent, ConsentState
    from samtykke.customers.models import Customer
    from samtykke.tenancy.models import ApiKey
    from samtykke.tenancy.services import create_dealer

    n = args.customers
    dealer = create_dealer(name="Bench Bil AS", org_number="923609016", slug="bench")
    baseline_dealer = create_dealer(name="Baseline AS", org_number="974760673", slug="baseline")
    _, key = ApiKey.issue(dealer, "bench")
    client = Client(headers={"Authorization": f"Bearer {key}"})

    def item(i: int) -> dict[str, Any]:
        return {
            "external_id": f"K-{i}",
            "customer_number": str(100000 + i),
            "name": f"Kari Nordmann {i}",
            "mobile": f"+4791{i % 1_000_000:06d}",
            "email": f"kari{i}@example.no",
            "birth_date": "1980-05-17",
            "address": {"street": "Storgata 1", "postal_code": "9008", "city": "Tromsø"},
        }

    print(f"database: {connection.vendor}, {n:,} customers")

    # --- upsert --------------------------------------------------------------------------
    def upsert_all() -> None:
        for start in range(0, n, BATCH):
            body = json.dumps({"customers": [item(i) for i in range(start, min(n, start + BATCH))]})
            r = client.post("/api/v1/customers/bulk", body, content_type="application/json")
            assert r.status_code == 200, r.content[:300]

    def insert_baseline() -> None:
        now = timezone.now()
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                data = item(i)
                rows.append(
                    Customer(
                        dealer=baseline_dealer,
                        external_id=data["external_id"],
                        customer_number=data["customer_number"],
                        name=data["name"],
                        mobile=data["mobile"],
                        email=data["email"],
                        street="Storgata 1",
                        postal_code="9008",
                        city="Tromsø",
                        updated_at=now,
                    )
                )
            with transaction.atomic():
                Customer.objects.bulk_create(rows)

    base = timed(insert_baseline)
    base_cpu = CPU[-1]
    api = timed(upsert_all)
    api_cpu = CPU[-1]
    again = timed(upsert_all)
    events = ConsentEvent.objects.for_dealer(dealer).count()
    print(
        f"upsert {n:,} via bulk:   {api:7.2f} s  ({n / api:8,.0f}/s)  baseline INSERT {base:6.2f} s"
        f"  ratio {api / base:5.1f}x   (+{events:,} ledger events)"
    )
    print(
        f"re-upsert unchanged:      {again:7.2f} s  ({n / again:8,.0f}/s)"
        f"  ratio {again / base:5.1f}x"
    )
    print(
        f"  CPU: bulk {api_cpu:.2f} s vs INSERT {base_cpu:.2f} s, ratio {api_cpu / base_cpu:.1f}x"
    )

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would, before reading
            cursor.execute("ANALYZE")

    # --- the feed ------------------------------------------------------------------------
    def read_feed() -> int:
        seen, cursor = 0, ""
        while seen < n:
            url = f"/api/v1/consent-events?limit={BATCH}" + (f"&after={cursor}" if cursor else "")
            page = json.loads(client.get(url).content)
            seen += len(page["events"])
            cursor = page["next_cursor"]
        return seen

    def select_baseline() -> None:
        last, seen = 0, 0
        while seen < n:
            rows = list(
                ConsentEvent.objects.for_dealer(dealer)
                .filter(sequence__gt=last)
                .order_by("sequence")
                .values_list(
                    "sequence",
                    "customer__external_id",
                    "purpose__key",
                    "channel__key",
                    "status",
                    "source",
                    "occurred_at",
                    "recorded_at",
                )[:BATCH]
            )
            seen += len(rows)
            last = rows[-1][0]

    base = timed(select_baseline)
    base_cpu = CPU[-1]
    api = timed(read_feed)
    api_cpu = CPU[-1]
    print(
        f"feed {n:,} events:       {api:7.2f} s  ({n / api:8,.0f}/s)  baseline SELECT {base:6.2f} s"
        f"  ratio {api / base:5.1f}x"
    )
    print(
        f"  CPU: feed {api_cpu:.2f} s vs SELECT {base_cpu:.2f} s, ratio {api_cpu / base_cpu:.1f}x"
    )

    # --- the check -----------------------------------------------------------------------
    ids = [f"K-{i}" for i in range(0, min(n, 10_000))]
    body = json.dumps({"purpose": "marketing", "channel": "sms", "customers": ids})

    def check() -> None:
        r = client.post("/api/v1/consents/check", body, content_type="application/json")
        assert r.status_code == 200 and len(r.json()["denied"]) == len(ids)

    from samtykke.consent.models import Channel, Purpose

    purpose = Purpose.objects.for_dealer(dealer).get(key="marketing")
    sms = Channel.objects.get(key="sms")
    customer_table = Customer._meta.db_table
    state_table = ConsentState._meta.db_table

    def check_baseline() -> None:
        """The same rows by hand: one raw LEFT JOIN per 2,000 ids, as the check reads them."""
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 2000):
                chunk = ids[start : start + 2000]
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT c.external_id, c.erased_at, c.mobile_is_valid, c.mobile_is_mobile,"
                    f" c.email_is_valid, s.status FROM {customer_table} c"
                    f" LEFT JOIN {state_table} s ON s.customer_id = c.id"
                    f" AND s.purpose_id = %s AND s.channel_id = %s"
                    f" WHERE c.dealer_id = %s AND c.external_id IN ({marks})",
                    [purpose.pk, sms.pk, dealer.pk, *chunk],
                )
                cursor.fetchall()

    check()  # warm up
    api_runs = [timed(check) for _ in range(7)]
    api_cpu_ms = statistics.median(CPU[-7:]) * 1000
    base_runs = [timed(check_baseline) for _ in range(7)]
    base_cpu_ms = statistics.median(CPU[-7:]) * 1000
    api_ms, base_ms = statistics.median(api_runs) * 1000, statistics.median(base_runs) * 1000
    verdict = "under" if api_ms < 200 else "OVER"
    print(
        f"check {len(ids):,} customers: {api_ms:7.1f} ms (median of 7; {verdict} the 200 ms target)"
        f"  baseline raw SELECT {base_ms:6.1f} ms  ratio {api_ms / base_ms:5.1f}x"
    )
    print(
        f"  CPU: check {api_cpu_ms:.1f} ms vs SELECT {base_cpu_ms:.1f} ms,"
        f" ratio {api_cpu_ms / base_cpu_ms:.1f}x; load average now {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
