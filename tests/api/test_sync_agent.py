"""The sync agent against the example DMS and a live server, through an outage and restarts."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from samtykke.api.sync.agent import ApiUnavailable, SyncAgent
from samtykke.api.sync.config import load_config
from samtykke.api.sync.state import SyncState
from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.models import ConsentEvent, Source
from samtykke.customers.models import Contact, Customer
from samtykke.tenancy.models import Dealer
from tests.api.proxy import running_proxy

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dms"


def make_dms(folder: Path, api_url: str) -> tuple[Path, Path]:
    dms = folder / "dms.sqlite3"
    with sqlite3.connect(dms) as connection:
        connection.executescript((EXAMPLE / "schema.sql").read_text(encoding="utf-8"))
        connection.executescript((EXAMPLE / "seed.sql").read_text(encoding="utf-8"))
    config = (EXAMPLE / "sync.toml").read_text(encoding="utf-8")
    config = config.replace("http://127.0.0.1:8000/api/v1", f"{api_url}/api/v1")
    config = config.replace("retry_wait = 2.0", "retry_wait = 0.01").replace(
        "retries = 3", "retries = 2"
    )
    path = folder / "sync.toml"
    path.write_text(config, encoding="utf-8")
    return dms, path


def flags(dms: Path) -> dict[str, tuple[int, int]]:
    with sqlite3.connect(dms) as connection:
        rows = connection.execute("SELECT id, sms_ok, email_ok FROM customers ORDER BY id")
        return {row[0]: (row[1], row[2]) for row in rows}


def portal(dealer: Dealer, external_id: str, channel: str, status: str) -> None:
    """A customer answering on the portal (the portal calls the same action)."""
    record_consent(
        dealer=dealer,
        customer=Customer.objects.for_dealer(dealer).get(external_id=external_id),
        decisions=[Decision("marketing", channel, status)],
        source=Source.PORTAL,
        actor=Actor.customer(),
        evidence={"ip": "192.0.2.1"},
    )


def test_the_agent_syncs_through_an_outage_and_restarts(
    live_server: Any, dealer: Dealer, api_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMTYKKE_API_KEY", api_key)
    with running_proxy(live_server.url) as proxy:
        dms, config_path = make_dms(tmp_path, proxy.url)
        config = load_config(config_path)

        # 1. Customers and orders go up; everyone starts "unknown", and the DMS learns it.
        summary = SyncAgent(config).run_once()
        customers = Customer.objects.for_dealer(dealer)
        assert sorted(customers.values_list("external_id", flat=True)) == [
            "C-1001",
            "C-1002",
            "C-1003",
            "C-1004",
            "C-1006",
        ]  # C-1005's birth date is not a date: rejected, logged, not lost (see 4)
        assert summary.rejected == 1 and summary.orders == 5
        kari = customers.get(external_id="C-1001")
        assert kari.mobile == "+4791234567" and kari.last_contact_at is not None
        assert Contact.objects.for_dealer(dealer).count() == 5
        assert customers.get(external_id="C-1006").name == "<script>alert(1)</script>"
        assert flags(dms) == {k: (0, 0) for k in flags(dms)}  # legacy "Ja" is not consent
        state = SyncState.load(config.state_file)
        assert state.cursor and state.customers_mark == 6 and state.orders_mark == 11

        # 2. Customers answer on the portal while the API is unreachable for the agent.
        portal(dealer, "C-1001", "sms", "given")
        portal(dealer, "C-1002", "email", "given")
        portal(dealer, "C-1004", "sms", "given")
        portal(dealer, "C-1004", "sms", "withdrawn")
        proxy.mode = "refuse"
        with pytest.raises(ApiUnavailable):
            SyncAgent(config).run_once()
        assert flags(dms)["C-1001"] == (0, 0)
        assert SyncState.load(config.state_file) == state  # nothing moved

        # 3. The DMS fixes C-1005 and renames Kari; the API commits the push but the answers
        #    are lost, twice: the cycle gives up …
        with sqlite3.connect(dms) as connection:
            connection.execute("UPDATE customers SET birth_date = '1985-05-17' WHERE id = 'C-1005'")
            connection.execute(
                "UPDATE customers SET name = 'Kari Nordmann-Berg' WHERE id = 'C-1001'"
            )
        proxy.mode, proxy.drop_next = "up", 2
        with pytest.raises(ApiUnavailable):
            SyncAgent(config).run_once()
        assert customers.filter(external_id="C-1005").exists()  # committed, answer lost

        # 4. … and a restarted agent sends the same push again: answered from the record.
        summary = SyncAgent(config).run_once()
        bulk = [entry for entry in proxy.log if entry[1].endswith("/customers/bulk")]
        assert bulk[-1][2:] == (200, True)  # replayed, not run again
        resets = ConsentEvent.objects.for_dealer(dealer).filter(
            customer__external_id="C-1005", source="gdpr_reset"
        )
        assert resets.count() == 2  # sms and email, once
        assert customers.get(external_id="C-1001").name == "Kari Nordmann-Berg"
        assert flags(dms) == {
            "C-1001": (1, 0),
            "C-1002": (0, 1),
            "C-1003": (0, 0),
            "C-1004": (0, 0),
            "C-1005": (0, 0),
            "C-1006": (0, 0),
        }
        assert summary.events == 4 + 2  # the portal answers and C-1005's start

        # 5. Nothing is repeated: a further run (through the command) finds nothing to do.
        with sqlite3.connect(dms) as connection:
            connection.execute("UPDATE customers SET sms_ok = 9 WHERE id = 'C-1001'")
        result = subprocess.run(
            [sys.executable, "-m", "samtykke.cli", "sync", "--config", str(config_path), "--once"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SAMTYKKE_API_KEY": api_key},
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "pushed 0 customers and 0 orders, wrote 0 consent events" in result.stdout
        assert flags(dms)["C-1001"] == (9, 0)  # no event written twice
