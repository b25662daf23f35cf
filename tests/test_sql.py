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


def test_a_prepared_statement_is_prepared_once_per_connection_and_reads_the_same() -> None:
    from samtykke.sql import Prepared, described

    statement = Prepared("test_probe", "SELECT %s + 1, %s")
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            with connection.cursor() as cursor:
                cursor.execute(statement.on(connection), [1, "x"])
                assert cursor.fetchall() == [(2, "x")]
    sql = [q["sql"] for q in captured.captured_queries]
    if can_send_together(connection):
        assert sql[0] == "PREPARE samtykke_test_probe AS SELECT $1 + 1, $2"
        assert sql[1:] == ["EXECUTE samtykke_test_probe(1, 'x')"] * 3
        assert described(sql[1]) == "SELECT %s + 1, %s"
    else:
        assert len(sql) == 3 and not any("PREPARE" in q or "EXECUTE" in q for q in sql)


@pytest.mark.django_db(transaction=True)  # it closes the connection
def test_prepared_statements_compose_outlive_a_rollback_and_follow_a_new_connection() -> None:
    from django.db import transaction

    from samtykke.sql import Prepared

    first = Prepared("test_first", "SELECT %s + 0")
    second = Prepared("test_second", "SELECT %s * 2")
    with transaction.atomic():
        sql = first.on(connection)  # prepared inside a transaction that is rolled back
        transaction.set_rollback(True)
    statements = [(first.on(connection), [3]), (second.on(connection), [4])]
    assert sql == statements[0][0]
    assert fetch_each(connection, statements) == [[(3,)], [(8,)]]
    if can_send_together(connection):
        connection.close()  # a new connection knows none of them: each is prepared again
        assert fetch_each(connection, [(first.on(connection), [5])]) == [[(5,)]]


def test_a_prepared_statement_takes_only_plain_placeholders_and_one_text_per_name() -> None:
    from samtykke.sql import Prepared

    with pytest.raises(ValueError, match="placeholders"):
        Prepared("test_like", "SELECT 1 WHERE 'a' LIKE 'a%'")
    with pytest.raises(ValueError, match="lower-case"):
        Prepared("Test", "SELECT 1")
    Prepared("test_twice", "SELECT 1")
    Prepared("test_twice", "SELECT 1")  # the same statement again (a module reloaded)
    with pytest.raises(ValueError, match="Two statements"):
        Prepared("test_twice", "SELECT 2")
