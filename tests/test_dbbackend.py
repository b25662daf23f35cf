"""samtykke.dbbackends.postgresql: the health check asks the server only when it said something."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Each time Django's own check (SELECT 1) ran, and what it found."""
    answers: list[bool] = []
    original = DjangoWrapper.is_usable

    def counted(self: DjangoWrapper) -> bool:
        answers.append(original(self))
        return answers[-1]

    monkeypatch.setattr(DjangoWrapper, "is_usable", counted)
    yield answers
    connection.close()  # the test may have left it ended by the server: the flush opens anew


def _terminate_this_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10  # the goodbye reaches the socket soon after
    while not select.select([connection.connection.pgconn.socket], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server's goodbye never arrived"


def test_an_idle_live_connection_is_usable_without_a_round_trip(asked: list[bool]) -> None:
    assert connection.settings_dict["ENGINE"] == "samtykke.dbbackends.postgresql"
    connection.ensure_connection()
    assert connection.is_usable()
    assert asked == []


def test_a_connection_the_server_ended_is_found_out(asked: list[bool]) -> None:
    connection.ensure_connection()
    _terminate_this_connection()
    assert not connection.is_usable()
    assert asked == [False]  # something had arrived, so Django's SELECT 1 was asked


def test_the_next_request_after_the_server_ended_the_connection_gets_a_new_one(
    asked: list[bool],
) -> None:
    """What Django does at a request's start and first query, after a server restart."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.ensure_connection()
    old = connection.connection
    _terminate_this_connection()
    connection.close_if_unusable_or_obsolete()  # request_started
    with connection.cursor() as cursor:  # the request's first query: checked, then reopened
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not old
    assert asked == [False]
