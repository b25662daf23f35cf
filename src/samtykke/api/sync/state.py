"""The agent's own state: the feed cursor and its high-water marks, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class SyncState:
    cursor: str | None = None  # the feed's next_cursor after the last page written to the DMS
    customers_mark: Any = 0  # the mark of the last customer row pushed
    orders_mark: Any = 0  # the mark of the last order row pushed

    @classmethod
    def load(cls, path: Path, initial_mark: Any = 0) -> SyncState:
        if not path.exists():
            return cls(None, initial_mark, initial_mark)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data.get("cursor"), data.get("customers_mark", 0), data.get("orders_mark", 0))

    def save(self, path: Path) -> None:
        """Write a temporary file, flush it to disk, then rename it over the old one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"version": 1, **asdict(self)}, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
