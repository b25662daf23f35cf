"""The session engine (samtykke/sessions.py): Django's database sessions, read in one statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samtykke.sessions import SessionStore
from tests.conftest import executed

pytestmark = pytest.mark.django_db


def test_the_site_uses_it() -> None:
    assert settings.SESSION_ENGINE == "samtykke.sessions"


def test_a_saved_session_reads_back_in_one_statement() -> None:
    store = SessionStore()
    store["portal_link"] = 42
    store["portal_languages"] = ["nb", "en"]
    store.save()
    again = SessionStore(store.session_key)
    with CaptureQueriesContext(connection) as captured:
        assert again["portal_link"] == 42
        assert again["portal_languages"] == ["nb", "en"]
    assert len(executed(captured)) == 1
    assert again.session_key == store.session_key


def test_an_expired_session_reads_as_empty_and_its_key_is_forgotten() -> None:
    store = SessionStore()
    store["portal_link"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None  # a save makes a new key: no fixation on the old one
    again["portal_link"] = 7
    again.save()
    assert again.session_key != store.session_key


def test_an_unknown_or_malformed_key_reads_as_empty() -> None:
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("short").load() == {}  # refused by Django's key check: no query
    assert SessionStore(None).load() == {}


def test_tampered_data_reads_as_empty() -> None:
    store = SessionStore()
    store["portal_link"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="forged:data")
    assert SessionStore(store.session_key).load() == {}


def test_flush_and_cycle_key_behave_as_djangos() -> None:
    store = SessionStore()
    store["portal_link"] = 42
    store.save()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert not Session.objects.filter(session_key=old).exists()
    assert SessionStore(store.session_key)["portal_link"] == 42
    store.flush()
    assert not Session.objects.exists()
