"""Bulk upserts of customers and orders: COPY into a staging table on PostgreSQL, then one
``INSERT … SELECT … ON CONFLICT`` per batch; multi-row ``INSERT … ON CONFLICT`` on SQLite.

Rows arrive already normalized (``customers.services.apply_customer_data``); these functions
only move them. An erased customer is never updated (the ``WHERE`` of ``DO UPDATE``).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from samtykke.customers.models import Contact, Customer

CUSTOMER_COLUMNS = (
    "dealer_id",
    "external_id",
    "customer_number",
    "name",
    "birth_date",
    "mobile",
    "mobile_is_valid",
    "mobile_is_mobile",
    "mobile_problem",
    "email",
    "email_is_valid",
    "email_problem",
    "street",
    "postal_code",
    "city",
    "legacy_consent",
    "created_at",
    "updated_at",
    "last_contact_at",
)
_STAGE_TYPES = {
    "dealer_id": "bigint",
    "birth_date": "date",
    "mobile_is_valid": "boolean",
    "mobile_is_mobile": "boolean",
    "email_is_valid": "boolean",
    "legacy_consent": "jsonb",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "last_contact_at": "timestamptz",
}
ContactRow = tuple[int, int, str, str, dt.datetime]  # dealer, customer, kind, reference, when


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


_LEGACY_AT = CUSTOMER_COLUMNS.index("legacy_consent")
_BEFORE_LEGACY = operator.attrgetter(*CUSTOMER_COLUMNS[:_LEGACY_AT])
_AFTER_LEGACY = operator.attrgetter(*CUSTOMER_COLUMNS[_LEGACY_AT + 1 :])


def _customer_row(customer: Customer) -> tuple[Any, ...]:
    return (
        *_BEFORE_LEGACY(customer),
        json.dumps(customer.legacy_consent, ensure_ascii=False),
        *_AFTER_LEGACY(customer),
    )


def copy_upsert_customers(
    customers: Sequence[Customer],
    update_fields: Sequence[str],
    inserted: set[int] | None = None,
) -> dict[str, int]:
    """PostgreSQL: upsert on (dealer, external id); returns {external id: id}.

    ``inserted`` gets the ids of the rows this statement inserted (not updated): nobody else can
    see them before commit, so their orders need no upsert.
    """
    table = _q(Customer._meta.db_table)
    stage = "samtykke_import_customer"
    columns = ", ".join(_q(c) for c in CUSTOMER_COLUMNS)
    definitions = ", ".join(f"{_q(c)} {_STAGE_TYPES.get(c, 'text')}" for c in CUSTOMER_COLUMNS)
    updates = ", ".join(
        [f"{_q(f)} = EXCLUDED.{_q(f)}" for f in update_fields]
        + [f"last_contact_at = GREATEST({table}.last_contact_at, EXCLUDED.last_contact_at)"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({definitions}) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {stage}")
        with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
            for customer in customers:
                copy.write_row(_customer_row(customer))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
            f"ON CONFLICT (dealer_id, external_id) DO UPDATE SET {updates} "
            f"WHERE {table}.erased_at IS NULL "
            "RETURNING external_id, id, (xmax = 0)"
        )
        ids = {}
        for external_id, pk, is_new in cursor.fetchall():
            ids[external_id] = pk
            if is_new and inserted is not None:
                inserted.add(pk)
        return ids


def copy_upsert_contacts(rows: Sequence[ContactRow], fresh: Collection[int] = ()) -> None:
    """PostgreSQL: upsert orders on (dealer, customer, kind, reference).

    Orders of ``fresh`` customers (inserted in this transaction, so they have no orders yet, and
    the file has no order twice) are COPYed straight into the table; the others go through a
    staging table and one ``INSERT … ON CONFLICT``.
    """
    table = _q(Contact._meta.db_table)
    stage = "samtykke_import_contact"
    now = timezone.now()
    if fresh:
        new_rows = [row for row in rows if row[1] in fresh]
        rows = [row for row in rows if row[1] not in fresh]
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                f"COPY {table} (dealer_id, customer_id, kind, reference, occurred_at, created_at) "
                "FROM STDIN"
            ) as copy:
                for row in new_rows:
                    copy.write_row((*row, now))
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} (dealer_id bigint, customer_id bigint, "
            "kind text, reference text, occurred_at timestamptz) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {stage}")
        with cursor.cursor.copy(
            f"COPY {stage} (dealer_id, customer_id, kind, reference, occurred_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} (dealer_id, customer_id, kind, reference, occurred_at, created_at) "  # noqa: S608
            f"SELECT dealer_id, customer_id, kind, reference, occurred_at, %s FROM {stage} "
            "ON CONFLICT (dealer_id, customer_id, kind, reference) WHERE NOT (reference = '') "
            "DO UPDATE SET occurred_at = EXCLUDED.occurred_at",
            [now],
        )


def insert_upsert_contacts(rows: Sequence[ContactRow]) -> None:
    """Any database with INSERT … ON CONFLICT (SQLite ≥ 3.24): 500 rows per statement."""
    table = _q(Contact._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params: list[Any] = []
        for dealer_id, customer_id, kind, reference, occurred_at in chunk:
            params += [dealer_id, customer_id, kind, reference, adapt(occurred_at), now]
        values = ",".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 - table name from the model, values bound
                "(dealer_id, customer_id, kind, reference, occurred_at, created_at) "
                f"VALUES {values} "
                "ON CONFLICT (dealer_id, customer_id, kind, reference) WHERE NOT (reference = '') "
                "DO UPDATE SET occurred_at = excluded.occurred_at",
                params,
            )
