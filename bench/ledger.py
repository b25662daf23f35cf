"""Ledger append throughput as a ratio to a plain INSERT of the same rows, in the same run.

    uv run python bench/ledger.py              # SQLite (a temporary file)
    uv run python bench/ledger.py --postgres   # PostgreSQL (database samtykke_bench)

For one dealer and for 50 dealers (round robin) it measures, in rounds that take turns so a
busy machine weighs on every kind alike:
- single: one record_consent() per transaction (lock the ledger head, hash, event, state, head)
  against one plain INSERT per transaction into a copy of the events table;
- batch: append_events() with 500 events per transaction against a bulk INSERT of the 500 rows.
The baseline builds and INSERTs the same event rows through Django without the ledger's lock,
hash chain and current view; a raw cursor INSERT is printed for reference.
Target (issue 2): ratio ≥ 0.3.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def configure(postgres: bool) -> None:
    os.environ["SAMTYKKE_SECRET_KEY"] = "bench-" + "b" * 50
    os.environ["SAMTYKKE_TASKS_BACKEND"] = "immediate"
    if postgres:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS samtykke_bench")
            conn.execute("CREATE DATABASE samtykke_bench")
        os.environ["SAMTYKKE_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/samtykke_bench"
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["SAMTYKKE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "samtykke.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    configure(args.postgres)

    from django.db import connection, transaction
    from django.utils import timezone

    from samtykke.consent.actions import Actor, Decision, _Pending, append_events, record_consent
    from samtykke.consent.models import Channel, ConsentEvent, Purpose
    from samtykke.customers.models import Customer
    from samtykke.tenancy.models import Dealer
    from samtykke.tenancy.services import create_dealer

    dealers = [
        create_dealer(name=f"Bench {i}", org_number="923609016", slug=f"bench-{i}")
        for i in range(50)
    ]
    customers = {
        d.pk: [
            Customer.objects.create(dealer=d, external_id=f"C{n}", mobile="+4791234567")
            for n in range(20)
        ]
        for d in dealers
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_plain AS SELECT * FROM consent_consentevent WHERE 1 = 0")
    columns = [f for f in ConsentEvent._meta.concrete_fields if f.column != "id"]
    raw_insert = (
        f"INSERT INTO bench_plain ({', '.join(f.column for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    statuses = ["given", "refused", "withdrawn"]
    sms = Channel.objects.get(key="sms")
    baseline_dealers = [
        create_dealer(name=f"Baseline {i}", org_number="923609016", slug=f"baseline-{i}")
        for i in range(50)
    ]
    sequence = itertools.count(1)

    def plain_event(i: int, group: list[Dealer]) -> ConsentEvent:
        """The same row the ledger writes, without lock, hash chain or current view."""
        now = timezone.now()
        dealer = group[i % len(group)]
        return ConsentEvent(
            dealer_id=baseline_dealers[dealers.index(dealer)].pk,
            sequence=next(sequence),
            customer=customers[dealer.pk][i % 20],
            purpose=purposes[dealer.pk],
            channel=sms,
            status=statuses[i % 3],
            source="dms_api",
            actor_kind="system",
            actor_label="bench",
            evidence={},
            evidence_sha256="0" * 64,
            occurred_at=now,
            recorded_at=now,
            prev_hash="0" * 64,
            hash="0" * 64,
        )

    purposes = {d.pk: Purpose.objects.for_dealer(d).get(key="marketing") for d in dealers}

    def timed(fn: Callable[[], None]) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    results = []
    for label, group in (("1 dealer", dealers[:1]), ("50 dealers", dealers)):
        n = args.events // args.rounds  # per round

        def orm_single() -> None:
            for i in range(n):
                with transaction.atomic():
                    plain_event(i, group).save(force_insert=True)

        def raw_single() -> None:
            for i in range(n):
                row = [
                    f.get_db_prep_save(getattr(plain_event(i, group), f.attname), connection)
                    for f in columns
                ]
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(raw_insert, row)

        def ledger_single() -> None:
            for i in range(n):
                dealer = group[i % len(group)]
                record_consent(
                    dealer=dealer,
                    customer=customers[dealer.pk][i % 20],
                    decisions=[Decision("marketing", "sms", statuses[i % 3])],
                    source="dms_api",
                    actor=Actor.system("bench"),
                )

        def orm_batch() -> None:
            for start in range(0, n, BATCH):
                with transaction.atomic():
                    ConsentEvent.objects.bulk_create(
                        [plain_event(i, group) for i in range(start, min(n, start + BATCH))]
                    )

        def ledger_batch() -> None:
            # the same number of events, BATCH at a time, dealer by dealer
            i = 0
            while i < n:
                dealer = group[(i // BATCH) % len(group)]
                items = [
                    _Pending(
                        customers[dealer.pk][j % 20],
                        purposes[dealer.pk],
                        sms,
                        statuses[j % 3],
                        None,
                        False,
                        {},
                    )
                    for j in range(i, min(n, i + BATCH))
                ]
                with transaction.atomic():
                    append_events(
                        dealer=dealer,
                        items=items,
                        source="dms_api",
                        actor=Actor.system("bench"),
                        occurred_at=timezone.now(),
                    )
                i += BATCH

        kinds = (
            ("orm_single", orm_single),
            ("raw_single", raw_single),
            ("ledger_single", ledger_single),
            ("orm_batch", orm_batch),
            ("ledger_batch", ledger_batch),
        )
        # The kinds take turns, round after round, so a busy machine weighs on all of them alike.
        t = dict.fromkeys((name for name, _ in kinds), 0.0)
        for _ in range(args.rounds):
            for name, fn in kinds:
                t[name] += timed(fn)
        n *= args.rounds
        results.append(
            (label, "single", n / t["ledger_single"], n / t["orm_single"], n / t["raw_single"])
        )
        results.append((label, f"batch {BATCH}", n / t["ledger_batch"], n / t["orm_batch"], None))

    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"ledger append on {engine} ({args.events} events per kind, in {args.rounds} rounds)")
    print(
        "ratio = ledger appends/s ÷ plain INSERTs/s of the same event rows (Django INSERT, no lock,"
    )
    print(
        "hash chain or current view); raw = a cursor INSERT of pre-built parameters, for reference."
    )
    print(
        f"{'dealers':<11} {'mode':<10} {'ledger ev/s':>12} {'INSERT ev/s':>12} {'ratio':>6} {'raw ev/s':>9} {'vs raw':>7}"
    )
    for label, mode, ledger_rate, plain_rate, raw_rate in results:
        raw = f"{raw_rate:>9.0f} {ledger_rate / raw_rate:>7.2f}" if raw_rate else ""
        print(
            f"{label:<11} {mode:<10} {ledger_rate:>12.0f} {plain_rate:>12.0f} {ledger_rate / plain_rate:>6.2f} {raw}"
        )


if __name__ == "__main__":
    main()
