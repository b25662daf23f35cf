"""samtykke.sql: several statements' rows in one round trip (PostgreSQL) or one by one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samtykke.sql import can_send_together, fetch_each

pytestmark = pytest.mark.django_db


def test_each_statement_gets_its_own_rows_in_order() -> None:
    statements = [
        ("SELECT %s, 'a;b'", [1]),  # a semicolon in a literal is the statement's own
        ("SELECT 2 UNION ALL SELECT %s", [3]),
        ("SELECT 1 WHERE 1 = %s", [0]),  # no rows is an empty result, not a missing one
    ]
    with CaptureQueriesContext(connection) as captured:
        found = fetch_each(connection, statements)
    assert found == [[(1, "a;b")], [(2,), (3,)], []]
    assert len(captured) == (1 if can_send_together(connection) else 3)


def test_a_statement_sees_what_an_earlier_one_in_the_same_query_wrote() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE sql_probe (n integer)")
    found = fetch_each(
        connection,
        [
            ("INSERT INTO sql_probe (n) VALUES (%s), (%s) RETURNING n", [1, 2]),
            ("SELECT count(*) FROM sql_probe", []),
        ],
    )
    assert sorted(found[0]) == [(1,), (2,)]
    assert found[1] == [(2,)]


def test_a_statement_without_rows_is_refused_where_sent_together() -> None:
    if not can_send_together(connection):
        pytest.skip("one by one, a statement without rows simply gives no rows")
    from django.db import ProgrammingError

    with pytest.raises(ProgrammingError, match="didn't produce records"):
        fetch_each(connection, [("SELECT 1", []), ("SET LOCAL statement_timeout = 0", [])])
