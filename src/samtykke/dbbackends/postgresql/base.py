"""Django's PostgreSQL engine, with a health check that costs no round trip when idle.

Connections persist between requests (``CONN_MAX_AGE``) and are checked before a request's
first query (``CONN_HEALTH_CHECKS``). Django checks with ``SELECT 1``: one round trip on every
request, more than some requests' own queries cost. The server sends an idle connection in
autocommit mode nothing unasked, except when the connection ends (its goodbye, then end of
file) or for notifications this product never listens to. So a socket with nothing to read is
a live connection as far as the server has said; one with something to read gets Django's
``SELECT 1``, which reads what came (an error ends the connection and Django opens a new one).
A connection lost without a word (a cable) fails on its first query, as it would right after a
``SELECT 1`` too.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        pgconn = self.connection.pgconn if self.connection is not None else None
        if (
            pgconn is not None
            and pgconn.status == pq.ConnStatus.OK
            and pgconn.transaction_status == pq.TransactionStatus.IDLE
        ):
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
            if not readable:
                return True
        return bool(super().is_usable())
