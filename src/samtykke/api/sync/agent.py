"""One sync cycle: push changed customers and orders, then pull the change feed into the DMS.

Nothing is lost or repeated across a restart or an API outage:
- a high-water mark moves (and the state file is written) only after the API accepted the
  rows up to it; a push that is retried carries the same ``Idempotency-Key`` (derived from the
  rows), so a request the API committed but whose answer was lost is answered from its record;
- the feed cursor moves only after the page's write-back committed in the DMS. The write-back
  sets each flag to the resulting state, so even the one page a crash between that commit and
  the state file could replay writes the same values again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from samtykke.api.sync.config import SyncConfig
from samtykke.api.sync.state import SyncState

log = logging.getLogger("samtykke.sync")

CUSTOMER_FIELDS = ("customer_number", "name", "mobile", "email", "birth_date")
ADDRESS_FIELDS = ("street", "postal_code", "city")
TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


class ApiUnavailable(RuntimeError):
    """The API could not be reached or answered 5xx/429: try the cycle again later."""


@dataclass
class Summary:
    customers: int = 0
    orders: int = 0
    events: int = 0
    rejected: int = 0

    def __str__(self) -> str:
        return (
            f"pushed {self.customers} customers and {self.orders} orders, "
            f"wrote {self.events} consent events ({self.rejected} rows rejected)"
        )


def idempotency_key(kind: str, payload: Any) -> str:
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    return f"sync-{kind}-{hashlib.sha256(body).hexdigest()[:40]}"


class SyncAgent:
    def __init__(self, config: SyncConfig, http: httpx.Client | None = None) -> None:
        self.config = config
        self.state = SyncState.load(config.state_file, config.initial_mark)
        self.http = http or httpx.Client(
            base_url=config.api_url,
            headers={"Authorization": f"Bearer {config.api_key}"},
            timeout=config.timeout,
        )

    # --- the API ---------------------------------------------------------------------------
    def call(self, method: str, path: str, *, key: str | None = None, **kwargs: Any) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        last = ""
        for attempt in range(self.config.retries):
            if attempt:
                time.sleep(self.config.retry_wait * 2 ** (attempt - 1))
            try:
                response = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in TRANSIENT:
                last = f"HTTP {response.status_code}"
                wait = response.headers.get("Retry-After", "")
                if wait.isdigit() and attempt + 1 < self.config.retries:
                    time.sleep(min(int(wait), 60))
                continue
            return response
        raise ApiUnavailable(f"{method} {path}: {last}")

    # --- the DMS ---------------------------------------------------------------------------
    @contextmanager
    def dms(self) -> Iterator[sqlite3.Connection]:
        """A DMS connection in one transaction: committed at the end, rolled back on error."""
        connection = sqlite3.connect(self.config.dms_sqlite, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def changed_rows(self, sql: str, mark: Any) -> list[dict[str, Any]]:
        with self.dms() as connection:
            rows = connection.execute(sql, {"mark": mark, "limit": self.config.batch}).fetchall()
        return [dict(row) for row in rows]

    # --- one cycle -------------------------------------------------------------------------
    def run_once(self) -> Summary:
        summary = Summary()
        self.push_customers(summary)
        self.push_orders(summary)
        self.pull_feed(summary)
        return summary

    def push_customers(self, summary: Summary) -> None:
        while rows := self.changed_rows(self.config.customers_sql, self.state.customers_mark):
            items = [self._customer_item(row) for row in rows]
            response = self.call(
                "POST",
                "/customers/bulk",
                json={"customers": items},
                key=idempotency_key("customers", items),
            )
            if response.status_code == 422:  # one item breaks the schema: push them one by one
                self._push_one_by_one(items, summary)
            elif response.status_code != 200:
                raise ApiUnavailable(f"bulk push refused: {response.status_code} {response.text}")
            else:
                for result in response.json()["results"]:
                    if result["result"] == "error":
                        summary.rejected += 1
                        log.warning(
                            "customer %s rejected: %s", result["external_id"], result["error"]
                        )
            summary.customers += len(rows)
            self.state.customers_mark = rows[-1]["mark"]
            self.state.save(self.config.state_file)

    def _push_one_by_one(self, items: list[dict[str, Any]], summary: Summary) -> None:
        for item in items:
            fields = {k: v for k, v in item.items() if k != "external_id"}
            path = f"/customers/{quote(item['external_id'], safe='')}"
            response = self.call("PUT", path, json=fields)
            if response.status_code >= 400:
                summary.rejected += 1
                log.warning("customer %s rejected: %s", item["external_id"], response.text)

    def _customer_item(self, row: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"external_id": str(row["external_id"])}
        for name in CUSTOMER_FIELDS:
            if row.get(name) is not None:
                item[name] = str(row[name])
        item["address"] = {n: str(row[n]) for n in ADDRESS_FIELDS if row.get(n) is not None}
        return item

    def push_orders(self, summary: Summary) -> None:
        while rows := self.changed_rows(self.config.orders_sql, self.state.orders_mark):
            for row in rows:
                body = {
                    "kind": row.get("kind") or "other",
                    "reference": str(row.get("reference") or ""),
                    "occurred_at": str(row["occurred_at"]),
                }
                path = f"/customers/{quote(str(row['external_id']), safe='')}/contacts"
                response = self.call(
                    "POST", path, json=body, key=idempotency_key("order", [path, body])
                )
                if response.status_code == 404:
                    # Its customer is not in samtykke yet: the next cycle pushes it first.
                    log.warning("order %s waits for customer %s", body["reference"], path)
                    return
                if response.status_code >= 400:
                    summary.rejected += 1
                    log.warning("order %s rejected: %s", body["reference"], response.text)
                else:
                    summary.orders += 1
                self.state.orders_mark = row["mark"]
                self.state.save(self.config.state_file)

    def pull_feed(self, summary: Summary) -> None:
        while True:
            params: dict[str, Any] = {"limit": self.config.batch}
            if self.state.cursor:
                params["after"] = self.state.cursor
            response = self.call("GET", "/consent-events", params=params)
            if response.status_code != 200:
                raise ApiUnavailable(f"feed refused: {response.status_code} {response.text}")
            page = response.json()
            if not page["events"]:
                return
            with self.dms() as connection:  # one DMS transaction per page, committed here
                for event in page["events"]:
                    self._write_back(connection, event)
            summary.events += len(page["events"])
            self.state.cursor = page["next_cursor"]
            self.state.save(self.config.state_file)

    def _write_back(self, connection: sqlite3.Connection, event: dict[str, Any]) -> None:
        state = event["state"]
        params = {
            "customer": event["customer"],
            "purpose": event["purpose"],
            "channel": event["channel"],
            "status": state["status"],
            "given": 1 if state["status"] == "given" else 0,
            "since": state["since"],
            "source": state["source"],
            "sequence": event["sequence"],
        }
        for write in self.config.consent_writes:
            if write.purpose == event["purpose"] and write.channel == event["channel"]:
                connection.execute(write.sql, params)

    def run_forever(self) -> None:
        wait = self.config.interval
        while True:
            try:
                log.info("sync: %s", self.run_once())
                wait = self.config.interval
            except ApiUnavailable as exc:
                wait = min(max(wait * 2, self.config.interval), 15 * 60)
                log.warning("sync: the API is unavailable (%s); again in %.0f s", exc, wait)
            time.sleep(wait)
