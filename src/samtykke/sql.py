"""The hot paths' own SQL on PostgreSQL: several statements in one round trip, each planned once.

On PostgreSQL a round trip, and planning a join, cost more than a small statement's own work.

- ``fetch_each`` sends statements that do not need each other's results in Python as one
  query. Django's psycopg cursors bind parameters on the client and use the simple query
  protocol, which runs the statements of one query in order, each seeing what was committed
  when it started (READ COMMITTED), and returns one result per statement.
- ``Prepared`` is a statement the database plans once per connection (``PREPARE``) and the hot
  path runs with ``EXECUTE``, which composes with ``fetch_each``. Prepared statements belong to
  the connection, outlive a rollback and go with it; a new connection prepares again.

Elsewhere (SQLite, or PostgreSQL with ``server_side_binding``, where psycopg prepares on its
own) the statements run as written, one after the other: the same results, in the same order.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

Statement = tuple[str, Sequence[Any]]


def can_send_together(connection: BaseDatabaseWrapper) -> bool:
    """PostgreSQL through Django's default cursors (client-side binding, simple protocol)."""
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


# The raw connection → the names prepared on it (a new connection prepares anew).
_prepared_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
# Every prepared statement by name, so an EXECUTE can be read as what it runs (``described``).
_by_name: dict[str, Prepared] = {}


class Prepared:
    """One statement (``%s`` placeholders, no other ``%``), planned once per connection."""

    def __init__(self, name: str, sql: str) -> None:
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"A prepared statement's name is lower-case letters: {name!r}.")
        if "%" in sql.replace("%s", ""):
            raise ValueError("Only %s placeholders may be in a prepared statement.")
        self.name = f"samtykke_{name}"
        self.sql = sql
        count = sql.count("%s")
        numbered = iter(range(1, count + 1))
        self._prepare = f"PREPARE {self.name} AS " + re.sub(
            "%s", lambda _: f"${next(numbered)}", sql
        )
        self._execute = f"EXECUTE {self.name}" + (f"({', '.join(['%s'] * count)})" if count else "")
        known = _by_name.setdefault(self.name, self)
        if known.sql != sql:
            raise ValueError(f"Two statements named {name!r}.")

    def on(self, connection: BaseDatabaseWrapper) -> str:
        """The SQL that runs this statement on ``connection`` (same parameters, same rows)."""
        if not can_send_together(connection):
            return self.sql
        connection.close_if_health_check_failed()  # as a cursor would, before we look at it
        connection.ensure_connection()
        names = _prepared_on.setdefault(connection.connection, set())
        if self.name not in names:
            with connection.cursor() as cursor:
                cursor.execute(self._prepare)
            names.add(self.name)
        return self._execute


def described(sql: str) -> str:
    """What an executed query runs: each ``EXECUTE samtykke_…(…)`` read as its statement (the
    parameters left out), for tests and logs that look at statements."""
    return re.sub(
        r"EXECUTE (samtykke_[a-z_]+)(\(.*?\))?(?=;\n|\Z)",
        lambda m: _by_name[m.group(1)].sql if m.group(1) in _by_name else m.group(0),
        sql,
        flags=re.DOTALL,
    )
