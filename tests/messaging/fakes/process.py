"""A fake in its own process (``python -m tests.messaging.fakes twilio``)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.messaging.fakes.base import FakeProvider
from tests.messaging.fakes.linkmobility import FakeLinkMobility
from tests.messaging.fakes.sveve import FakeSveve
from tests.messaging.fakes.twilio import FakeTwilio

FAKES: dict[str, type[FakeProvider]] = {
    "twilio": FakeTwilio,
    "linkmobility": FakeLinkMobility,
    "sveve": FakeSveve,
}


class FakeProcess:
    """A fake in its own process (its own GIL: for benchmarks and multi-process tests).

    with FakeProcess("twilio", fail_rate=0.3) as fake:
        fake.configure(settings)      # same settings as the in-process fake
        ...
        fake.stats()                  # {"accepted", "attempts", "duplicates", "faults"}
        fake.messages(to="+47…")      # what it accepted
    """

    def __init__(self, provider: str, **options: float) -> None:
        self.provider = provider
        self.options = options
        self.process: subprocess.Popen[str] | None = None
        self.values: dict[str, Any] = {}

    def __enter__(self) -> FakeProcess:
        args = [sys.executable, "-m", "tests.messaging.fakes", self.provider]
        for name, value in self.options.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        root = Path(__file__).resolve().parents[3]
        self.process = subprocess.Popen(
            args, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.values = json.loads(self.process.stdout.readline())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def url(self) -> str:
        prefix = {"twilio": "TWILIO", "linkmobility": "LINK", "sveve": "SVEVE"}[self.provider]
        return str(self.values[f"{prefix}_BASE_URL"])

    def configure(self, settings: Any) -> None:
        for name, value in self.values.items():
            setattr(settings, name, value)

    def stats(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/_fake/stats", timeout=10).json())

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        params = {"to": to} if to else None
        return list(httpx.get(f"{self.url}/_fake/messages", params=params, timeout=30).json())

    def set_faults(self, **faults: float) -> None:
        httpx.post(f"{self.url}/_fake/faults", json=faults, timeout=10).raise_for_status()


def _serve(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a fake SMS provider until stdin closes.")
    parser.add_argument("provider", choices=sorted(FAKES))
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--hang-rate", type=float, default=0.0)
    parser.add_argument("--hang-seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    fake = FAKES[args.provider](
        fail_rate=args.fail_rate,
        hang_rate=args.hang_rate,
        hang_seconds=args.hang_seconds,
        seed=args.seed,
    )
    with fake:
        print(json.dumps(fake.settings_values()), flush=True)
        sys.stdin.read()  # until the parent closes it (or dies)
