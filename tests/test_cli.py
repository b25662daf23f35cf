"""The `samtykke` command, run as a user would: in a subprocess against a fresh SQLite file."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from samtykke.cli import main
from samtykke.tenancy.models import Dealer

ROOT = Path(__file__).resolve().parents[1]


def samtykke(
    *args: str, db: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SAMTYKKE_") and k != "DJANGO_SETTINGS_MODULE"
    }
    if db is not None:
        base["SAMTYKKE_DATABASE_URL"] = f"sqlite:///{db}"
        base["SAMTYKKE_SECRET_KEY"] = "cli-test-secret-" + "c" * 40
    return subprocess.run(
        [sys.executable, "-m", "samtykke.cli", *args],
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=db.parent if db else ROOT,
    )


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite3"
    assert samtykke("migrate", db=path).returncode == 0
    return path


def test_dealer_user_apikey_reset_verify(cli_db: Path) -> None:
    db = cli_db
    made = samtykke(
        "dealer",
        "create",
        "--name",
        "Bil & Co AS",
        "--org-number",
        "923609016",
        "--slug",
        "bil-co",
        db=db,
    )
    assert made.returncode == 0, made.stderr
    assert "bil-co" in made.stdout

    user = samtykke(
        "user", "create", "--dealer", "bil-co", "--email", "ola@bil.no", "--role", "admin", db=db
    )
    assert user.returncode == 0 and "one-time password:" in user.stdout
    quiet = samtykke(
        "user",
        "create",
        "--dealer",
        "bil-co",
        "--email",
        "kari@bil.no",
        "--password-stdin",
        db=db,
        stdin="a-good-password\n",
    )
    assert quiet.returncode == 0 and "one-time password" not in quiet.stdout

    key = samtykke("apikey", "create", "--dealer", "bil-co", db=db)
    assert key.returncode == 0
    raw = key.stdout.strip().splitlines()[-1]
    assert raw.startswith("smt_")
    stored = sqlite3.connect(db).execute("select key_hash from tenancy_apikey").fetchall()
    assert raw not in str(stored)

    assert samtykke("gdpr-reset", "--dealer", "bil-co", db=db).returncode == 0
    verify = samtykke("ledger", "verify", db=db)
    assert verify.returncode == 0 and "ok" in verify.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["dealer", "create", "--name", "X", "--org-number", "123456789", "--slug", "x"],
            "organisation number",
        ),
        (
            [
                "dealer",
                "create",
                "--name",
                "X",
                "--org-number",
                "923609016",
                "--slug",
                "bilhuset-nord",
            ],
            "exists",
        ),
        (["user", "create", "--dealer", "nope", "--email", "a@b.no"], "no dealer"),
        (
            ["user", "create", "--dealer", "bilhuset-nord", "--email", "not-an-email"],
            "not an e-mail",
        ),
        (["apikey", "create", "--dealer", "nope"], "no dealer"),
        (["gdpr-reset", "--dealer", "nope"], "no dealer"),
        (["ledger", "verify", "--dealer", "nope"], "no dealer"),
        (["demo", "--customers", "zero"], "whole number"),
        (["serve", "--workers", "0"], "at least 1"),
        (["no-such-command"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_arguments_give_a_clear_error(
    dealer: Dealer, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    assert code != 0
    assert message in capsys.readouterr().err


def test_ledger_verify_names_the_first_bad_event(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    seeded = samtykke("demo", "--no-serve", "--customers", "20", "--database", str(database))
    assert seeded.returncode == 0, seeded.stderr
    env = {"SAMTYKKE_DATABASE_URL": f"sqlite:///{database}"}  # the secret is found beside the file
    assert samtykke("ledger", "verify", env=env).returncode == 0
    with sqlite3.connect(database) as conn:
        conn.execute("update consent_consentevent set status = 'given' where sequence = 7")
    result = samtykke("ledger", "verify", env=env)
    assert result.returncode == 1
    assert "#7" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_seeds_prints_links_and_answers_on_its_port(tmp_path: Path) -> None:
    port = _free_port()
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SAMTYKKE_") and k != "DJANGO_SETTINGS_MODULE"
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "samtykke.cli", "demo", "--customers", "60", "--port", str(port)],
        cwd=tmp_path,
        env=base,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Serving on"):
                break
        link = next(x.split(": ", 1)[1].strip() for x in lines if "/s/" in x)
        assert any("API key:" in x for x in lines) and any("password:" in x for x in lines)
        status = 0
        # The link redirects to a clean URL and keeps the link in the session: keep cookies.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        while time.monotonic() - started < 30:
            try:
                with opener.open(link, timeout=2) as response:
                    status = response.status
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, "".join(lines)
        assert "Demo Bil AS" in page
        assert time.monotonic() - started < 30
    finally:
        process.terminate()
        process.wait(timeout=20)
