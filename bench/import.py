"""Import 200,000 customers with 600,000 orders (one row per order), against a COPY baseline.

    uv run python bench/import.py [--postgres] [--customers N] [--orders-per-customer K]

The baseline COPYs the same customers and orders (already normalized, ids assigned) into the
same tables; the import reads the CSV, checks every row, normalizes phones and e-mails, upserts
customers and orders and appends the GDPR reset (two consent events per customer) to the
ledger. Ratio = COPY seconds / import seconds (higher is better; target >= 0.2, import < 60 s).
On SQLite the baseline is executemany INSERT (SQLite has no COPY).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders-per-customer", type=int, default=3)
    args = parser.parse_args()
    if args.postgres:
        os.environ.setdefault(
            "SAMTYKKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/samtykke_bench_import"
        )
    else:
        path = Path(tempfile.gettempdir()) / "samtykke-bench-import.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["SAMTYKKE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SAMTYKKE_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("SAMTYKKE_TASKS_BACKEND", "immediate")
    os.environ["DJANGO_SETTINGS_MODULE"] = "samtykke.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if settings.IS_POSTGRES:
        _recreate_postgres(settings.DATABASES["default"])
    call_command("migrate", verbosity=0)
    from samtykke.customers.models import Contact, Customer
    from samtykke.imports.engine import run_import
    from samtykke.imports.mapping import propose_mapping
    from samtykke.imports.parsing import read_upload
    from samtykke.tenancy.services import create_dealer

    n, k = args.customers, args.orders_per_customer
    data = _export(n, k)
    print(f"{n} customers, {n * k} orders, {len(data) / 1e6:.1f} MB CSV, {connection.vendor}")

    baseline_dealer = create_dealer(name="Baseline AS", org_number="923609016", slug="baseline")
    copy_seconds = _copy_baseline(baseline_dealer.pk, n, k, Customer, Contact)
    print(f"baseline ({'COPY' if settings.IS_POSTGRES else 'executemany'}): {copy_seconds:.1f} s")

    dealer = create_dealer(name="Import AS", org_number="974760673", slug="import")
    spent = _time_phases()
    started = time.perf_counter()
    parsed = read_upload(data)
    outcome = run_import(
        dealer=dealer, parsed=parsed, mapping=propose_mapping(parsed.headers), dry_run=False
    )
    import_seconds = time.perf_counter() - started
    assert outcome.ok, outcome.problems[:5]
    s = outcome.summary
    print(
        f"import: {import_seconds:.1f} s ({s.created} customers, {s.orders_created} orders, "
        f"{s.consent_reset_events} GDPR reset events)"
    )
    print(f"ratio COPY/import: {copy_seconds / import_seconds:.2f} (target >= 0.2, < 60 s)")
    if settings.IS_POSTGRES:
        ledger_seconds = _copy_ledger_rows(dealer.pk)
        everything = copy_seconds + ledger_seconds
        print(
            f"COPY of every row the import wrote (+ {s.consent_reset_events} events and as many "
            f"current-view rows: {ledger_seconds:.1f} s): {everything:.1f} s; "
            f"ratio {everything / import_seconds:.2f}"
        )
    print("  of which: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items()))
    started = time.perf_counter()
    again = run_import(
        dealer=dealer, parsed=parsed, mapping=propose_mapping(parsed.headers), dry_run=False
    )
    print(
        f"same file again (all updates): {time.perf_counter() - started:.1f} s, "
        f"{again.summary.updated} updated, {again.summary.orders_updated} orders known"
    )
    return 0


def _time_phases() -> dict[str, float]:
    """Wrap the engine's phases with timers (seconds per phase, filled while the import runs)."""
    from samtykke.imports import bulk, engine

    spent: dict[str, float] = {}

    def timed(module: object, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        setattr(module, name, wrapper)

    timed(engine, "plan_import", "reading and checking")
    timed(engine, "_customer", "building customers")
    timed(bulk, "copy_upsert_customers", "customers upsert")
    timed(bulk, "copy_upsert_contacts", "orders upsert")
    timed(engine, "_refresh_last_contact", "last contact")
    timed(engine, "reset_new_customers", "GDPR reset")
    return spent


def _copy_ledger_rows(dealer_id: int) -> float:
    """COPY the import's consent events and states into empty look-alike tables (same indexes)."""
    from django.db import connection, transaction

    timed = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("consent_consentevent", "consent_consentstate"):
            cursor.execute(f"CREATE TEMP TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            with cursor.copy(
                f"COPY (SELECT * FROM {table} WHERE dealer_id = {dealer_id}) TO STDOUT"
            ) as out:
                data = b"".join(bytes(chunk) for chunk in out)
            started = time.perf_counter()
            with cursor.copy(f"COPY bench_{table} FROM STDIN") as copy:
                copy.write(data)
            timed += time.perf_counter() - started
        transaction.set_rollback(True)
    return timed


def _recreate_postgres(db: dict[str, object]) -> None:
    import psycopg

    name = db["NAME"]
    with psycopg.connect(
        host=str(db["HOST"]),
        port=int(db["PORT"] or 5432),
        user=str(db["USER"]),
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _customer_rows(n: int) -> list[tuple[str, ...]]:
    rng = random.Random(7)
    first = ["Åse", "Bjørn", "Kari", "Ola", "Ærling", "Søren", "Ingrid", "Per", "Lise", "Håkon"]
    last = ["Nordmann", "Ørnes", "Bækken", "Hansen", "Johansen", "Olsen", "Lærum", "Åsheim"]
    rows = []
    for i in range(n):
        number = str(100_000 + i)
        mobile = f"{rng.choice('49')}{rng.randrange(10**7):07d}"
        rows.append(
            (
                number,
                f"{rng.choice(first)} {rng.choice(last)}",
                mobile if i % 50 else "12",  # 2 % invalid numbers, kept with the reason
                f"kunde{i}@example.no" if i % 40 else "ikke-epost",
                f"Gate {i % 300} {rng.randrange(1, 99)}",
                f"{rng.randrange(1, 9999):04d}",
                "Tromsø",
                f"{rng.randrange(1, 28):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1940, 2005)}",
                "Ja" if i % 3 == 0 else "",
            )
        )
    return rows


def _export(n: int, k: int) -> bytes:
    out = io.StringIO()
    out.write(
        "Kundenr;Navn;Mobil;E-post;Adresse;Postnr;Poststed;Fødselsdato;SMS;Ordrenr;Ordredato;Ordretype\r\n"
    )
    for i, row in enumerate(_customer_rows(n)):
        for j in range(k):
            day = 1 + (i + j) % 28
            out.write(";".join(row) + f";WO-{i}-{j};{day:02d}.0{1 + j % 9}.2024;Verksted\r\n")
    return out.getvalue().encode("cp1252")


def _copy_baseline(
    dealer_id: int, n: int, k: int, customer_model: type, contact_model: type
) -> None:
    """The same rows, already clean, straight into the same tables."""
    from django.db import connection, transaction

    customers = _customer_rows(n)
    now = "2025-01-01 00:00:00+00"
    customer_cols = (
        "dealer_id, external_id, customer_number, name, mobile, mobile_is_valid, "
        "mobile_is_mobile, mobile_problem, email, email_is_valid, email_problem, street, "
        "postal_code, city, birth_date, legacy_consent, created_at, updated_at"
    )
    contact_cols = "dealer_id, customer_id, kind, reference, occurred_at, created_at"
    customer_values = [
        (
            dealer_id,
            r[0],
            r[0],
            r[1],
            "+47" + r[2],
            True,
            True,
            "",
            r[3],
            True,
            "",
            r[4],
            r[5],
            r[6],
            f"{r[7][6:]}-{r[7][3:5]}-{r[7][:2]}",
            '{"SMS": "Ja"}' if r[8] else "{}",
            now,
            now,
        )
        for r in customers
    ]
    customer_table = customer_model._meta.db_table
    contact_table = contact_model._meta.db_table
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {customer_table} ({customer_cols}) FROM STDIN") as copy:
                for values in customer_values:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * 18)
            cursor.executemany(
                f"INSERT INTO {customer_table} ({customer_cols}) VALUES ({marks})", customer_values
            )
        cursor.execute(
            f"SELECT external_id, id FROM {customer_table} WHERE dealer_id = %s", [dealer_id]
        )
        ids = dict(cursor.fetchall())
        preparing = time.perf_counter()
        contact_values = [
            (
                dealer_id,
                ids[r[0]],
                "workshop_order",
                f"WO-{i}-{j}",
                f"2024-0{1 + j % 9}-{1 + (i + j) % 28:02d} 00:00:00+00",
                now,
            )
            for i, r in enumerate(customers)
            for j in range(k)
        ]
        started += time.perf_counter() - preparing  # building the rows is not writing
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {contact_table} ({contact_cols}) FROM STDIN") as copy:
                for values in contact_values:
                    copy.write_row(values)
        else:
            cursor.executemany(
                f"INSERT INTO {contact_table} ({contact_cols}) VALUES (%s, %s, %s, %s, %s, %s)",
                contact_values,
            )
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
