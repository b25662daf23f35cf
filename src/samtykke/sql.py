"""Several plain statements in one round trip to PostgreSQL (the hot paths' own SQL).

On PostgreSQL a round trip costs more than a small statement's own work, so the hot paths
send statements that do not need each other's results in Python as one query. Django's
psycopg cursors bind parameters on the client and use the simple query protocol, which runs
the statements of one query in order, each seeing what was committed when it started (READ
COMMITTED), and returns one result per statement. Elsewhere (SQLite, or PostgreSQL with
``server_side_binding``) they run one after the other: the same results, in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

Statement = tuple[str, Sequence[Any]]


def can_send_together(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "OPTIONS", {}
    ).get("server_side_binding")


def fetch_each(
    connection: BaseDatabaseWrapper, statements: Sequence[Statement]
) -> list[list[tuple[Any, ...]]]:
    """Every statement's rows, in order; one round trip where the database allows it.

    Each must be one statement that returns rows (a SELECT, or a write with RETURNING).
    """
    with connection.cursor() as cursor:
        if not can_send_together(connection) or len(statements) == 1:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(list(cursor.fetchall()))
            return results
        cursor.execute(
            ";\n".join(sql for sql, _ in statements),
            [param for _, params in statements for param in params],
        )
        results = [list(cursor.fetchall())]  # psycopg refuses a result without rows
        while cursor.nextset():
            results.append(list(cursor.fetchall()))
    return results
