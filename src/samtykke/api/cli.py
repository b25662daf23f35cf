"""``samtykke sync`` (the DMS connector) and ``samtykke webhooks sweep``."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from samtykke.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sync", help="run the DMS sync agent (push customers and orders, pull consent)"
    )
    p.add_argument("--config", required=True, metavar="FILE", help="the agent's TOML file")
    p.add_argument("--once", action="store_true", help="one cycle, then exit")
    p.set_defaults(handler=cmd_sync)

    p = subparsers.add_parser("webhooks", help="outgoing webhooks")
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser(
        "sweep", help="catch up deliveries whose task was lost (run every few minutes)"
    )
    c.set_defaults(handler=cmd_webhooks_sweep)


def cmd_sync(args: argparse.Namespace) -> int:
    from samtykke.api.sync.agent import ApiUnavailable, SyncAgent
    from samtykke.api.sync.config import ConfigError, load_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    agent = SyncAgent(config)
    if args.once:
        try:
            print(agent.run_once())
        except ApiUnavailable as exc:
            raise CommandError(f"the API is unavailable: {exc}") from None
        return 0
    agent.run_forever()
    return 0


def cmd_webhooks_sweep(args: argparse.Namespace) -> int:
    setup_django()
    from samtykke.api.webhooks.delivery import sweep

    print(f"webhooks: {sweep()} deliveries enqueued")
    return 0
