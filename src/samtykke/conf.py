"""Typed helpers that read samtykke's configuration from the environment.

Every helper fails loudly with a message that names the variable: a typo in a
deployment must stop the process at start-up, not surface later as odd behaviour.
A secret may also come from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """The value of ``name``, or of the file named by ``name_FILE``, or ``default``."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return value if value is not None else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false or yes/no.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_url(name: str, default: str) -> str:
    value = (env_str(name, default) or default).strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name}={value!r} must start with http:// or https://.")
    return value


def env_decimal(name: str, default: str, *, minimum: str | None = None) -> Decimal:
    value = (os.environ.get(name) or default).strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number (e.g. 0.45).") from None
    if not number.is_finite() or (minimum is not None and number < Decimal(minimum)):
        raise ImproperlyConfigured(f"{name}={value!r} must be a number of at least {minimum}.")
    return number
