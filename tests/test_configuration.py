"""Settings come from the environment through helpers that refuse bad values loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from samtykke.conf import env_bool, env_choice, env_int, env_str, env_url

ROOT = Path(__file__).resolve().parents[1]


def test_helpers_read_and_reject(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("X_BOOL", "yes")
    assert env_bool("X_BOOL") is True
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "12")
    assert env_int("X_INT", 1) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_INT", 5, minimum=1)
    monkeypatch.setenv("X_CHOICE", "carrier-pigeon")
    with pytest.raises(ImproperlyConfigured, match="one of"):
        env_choice("X_CHOICE", "db", ("db", "rq"))
    monkeypatch.setenv("X_URL", "example.no")
    with pytest.raises(ImproperlyConfigured, match="http"):
        env_url("X_URL", "http://localhost")
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "from-a-file"
    monkeypatch.setenv("X_SECRET", "both")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_str("X_SECRET")


def _django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SAMTYKKE_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, "-m", "samtykke.cli", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _django(
        ["manage", "check", "--deploy", "--fail-level", "WARNING"],
        {
            "SAMTYKKE_SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
            "SAMTYKKE_PUBLIC_URL": "https://samtykke.example.no",
            "SAMTYKKE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_secret_stops_start_up(tmp_path: Path) -> None:
    result = _django(
        ["manage", "check"], {"SAMTYKKE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    assert result.returncode != 0
    assert "SAMTYKKE_SECRET_KEY" in result.stderr


def test_a_bad_database_url_is_named(tmp_path: Path) -> None:
    result = _django(
        ["manage", "check"], {"SAMTYKKE_DEBUG": "1", "SAMTYKKE_DATABASE_URL": "mysql://x/y"}
    )
    assert result.returncode != 0 and "SAMTYKKE_DATABASE_URL" in result.stderr


def test_an_sqlite_without_returning_is_refused_at_start_up(tmp_path: Path) -> None:
    """The ledger reads ids back with RETURNING (SQLite 3.35): an older one is named at once."""
    pretend_old = (
        "import sqlite3, sys; sqlite3.sqlite_version_info = (3, 31, 1); "
        "sqlite3.sqlite_version = '3.31.1'; from samtykke.cli import main; "
        "sys.exit(main(['manage', 'check']))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("SAMTYKKE_")}
    result = subprocess.run(
        [sys.executable, "-c", pretend_old],
        env={
            **base,
            "SAMTYKKE_DEBUG": "1",
            "SAMTYKKE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "SQLite 3.31.1 is too old" in result.stderr
