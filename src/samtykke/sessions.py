"""Sessions: Django's database sessions, each request's read done in one plain statement.

Everything is ``django.contrib.sessions.backends.db`` (the ``django_session`` table, keys,
signing, expiry, ``cycle_key``, ``flush``, ``clearsessions``); only ``load`` differs. Django
reads the row through a QuerySet, whose building and compiling cost ten times the query
itself on every request that touches the session (every portal request, every staff page).
Here the same SELECT is written once, from the model's own table and column names, and
PostgreSQL plans it once per connection (``samtykke.sql.Prepared``).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from samtykke.sql import Prepared


@functools.cache
def _load_sql(model: type[Any]) -> Prepared:
    """The session row's SELECT, from the model's own table and column names (built once)."""
    meta = model._meta
    column = {f.name: f'"{f.column}"' for f in meta.concrete_fields}
    return Prepared(
        "session_load_" + re.sub("[^a-z_]", "_", meta.db_table.lower()),
        f'SELECT {column["session_data"]} FROM "{meta.db_table}" '  # noqa: S608 - names from the model
        f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s",
    )


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        data = self._session_data_from_db()
        return self.decode(data) if data is not None else {}

    def _session_data_from_db(self) -> str | None:
        """The row's ``session_data`` if the key names an unexpired session; else forget the
        key (as Django does), so a new session gets a new one.
        """
        if self.session_key is None:
            return None
        connection = connections[router.db_for_read(self.model)]
        expire_date = self.model._meta.get_field("expire_date")
        now = expire_date.get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(_load_sql(self.model).on(connection), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return str(row[0])
