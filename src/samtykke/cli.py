"""The ``samtykke`` command.

Each area of the product may add subcommands in a module ``samtykke.<area>.cli`` with a
``register(subparsers)`` function; handlers import Django models only after ``setup_django()``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence

AREAS = (
    "tenancy",
    "customers",
    "consent",
    "messaging",
    "campaigns",
    "portal",
    "backoffice",
    "api",
    "documents",
    "imports",
)


class CommandError(Exception):
    """A user error: printed as ``samtykke: <message>`` with exit status 2."""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samtykke.settings")
    import django

    django.setup()


Handler = Callable[[argparse.Namespace], int | None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samtykke",
        description="Consent service for car dealers' customer registers.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from samtykke import commands

    commands.register(subparsers)
    for area in AREAS:
        name = f"samtykke.{area}.cli"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["manage"]:  # hand everything after `manage` to Django untouched
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["samtykke manage", *args_list[1:]])
        return 0
    parser = build_parser()
    args = parser.parse_args(args_list)
    handler: Handler = args.handler
    try:
        return int(handler(args) or 0)
    except CommandError as exc:
        print(f"samtykke: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
