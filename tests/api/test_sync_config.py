"""The sync agent's config file and state file."""

from __future__ import annotations

from pathlib import Path

import pytest

from samtykke.api.sync.config import ConfigError, load_config
from samtykke.api.sync.state import SyncState
from samtykke.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dms" / "sync.toml"


def test_the_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMTYKKE_API_KEY", "smt_example")
    config = load_config(EXAMPLE)
    assert config.api_key == "smt_example"
    assert config.dms_sqlite == EXAMPLE.parent / "dms.sqlite3"
    assert [(w.purpose, w.channel) for w in config.consent_writes] == [
        ("marketing", "sms"),
        ("marketing", "email"),
    ]


def test_config_errors_name_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SAMTYKKE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="SAMTYKKE_API_KEY"):
        load_config(EXAMPLE)
    broken = tmp_path / "sync.toml"
    broken.write_text('[api]\nkey = "k"\nurl = "http://x"\n[dms]\nsqlite = "d"\n')
    with pytest.raises(ConfigError, match=r"customers\.changed is missing"):
        load_config(broken)
    broken.write_text("[api\n")
    with pytest.raises(ConfigError):
        load_config(broken)
    assert main(["sync", "--config", str(tmp_path / "missing.toml"), "--once"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_state_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sync-state.json"
    assert SyncState.load(path, initial_mark=7) == SyncState(None, 7, 7)
    state = SyncState("djE6MTA", 12, 40)
    state.save(path)
    assert SyncState.load(path) == state
    assert [p.name for p in path.parent.iterdir()] == ["sync-state.json"]  # no temporary left
