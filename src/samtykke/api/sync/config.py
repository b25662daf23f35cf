"""The agent's config file (TOML). See examples/dms/sync.toml for a commented example."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The config file is wrong: the message names the key."""


@dataclass(frozen=True)
class ConsentWrite:
    purpose: str
    channel: str
    sql: str


@dataclass(frozen=True)
class SyncConfig:
    api_url: str
    api_key: str
    dms_sqlite: Path
    state_file: Path
    customers_sql: str
    orders_sql: str
    consent_writes: list[ConsentWrite] = field(default_factory=list)
    batch: int = 500
    interval: float = 30.0
    timeout: float = 30.0
    retries: int = 3
    retry_wait: float = 2.0
    initial_mark: Any = 0


def _need(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table or table[key] in ("", None):
        raise ConfigError(f"{where}.{key} is missing")
    return table[key]


def load_config(path: str | Path) -> SyncConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    base = path.resolve().parent
    api = data.get("api", {})
    key = api.get("key") or ""
    if not key and api.get("key_env"):
        key = os.environ.get(api["key_env"], "")
        if not key:
            raise ConfigError(f"api.key_env: the environment variable {api['key_env']} is empty")
    if not key and api.get("key_file"):
        key = (base / api["key_file"]).read_text(encoding="utf-8").strip()
    if not key:
        raise ConfigError("api: set key_env (recommended), key_file or key")
    sync = data.get("sync", {})
    writes = [
        ConsentWrite(
            purpose=str(item.get("purpose", "marketing")),
            channel=str(_need(item, "channel", "consent")),
            sql=str(_need(item, "sql", "consent")),
        )
        for item in data.get("consent", [])
    ]
    return SyncConfig(
        api_url=str(_need(api, "url", "api")).rstrip("/"),
        api_key=key,
        dms_sqlite=base / str(_need(data.get("dms", {}), "sqlite", "dms")),
        state_file=base / str(data.get("state", {}).get("file", "sync-state.json")),
        customers_sql=str(_need(data.get("customers", {}), "changed", "customers")),
        orders_sql=str(_need(data.get("orders", {}), "changed", "orders")),
        consent_writes=writes,
        batch=int(sync.get("batch", 500)),
        interval=float(sync.get("interval", 30)),
        timeout=float(api.get("timeout", 30)),
        retries=int(sync.get("retries", 3)),
        retry_wait=float(sync.get("retry_wait", 2.0)),
        initial_mark=sync.get("initial_mark", 0),
    )
