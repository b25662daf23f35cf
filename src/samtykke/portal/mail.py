"""The one place the portal sends e-mail from.

Uses ``samtykke.messaging.email.send_email`` (the messaging branch's shared function) when it
is installed, and Django's mail directly until then.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


class EmailNotSent(RuntimeError):
    """Sending failed; ``permanent`` when retrying cannot help (a refused address)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def _shared_sender() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("samtykke.messaging.email")
    except ImportError:
        return None
    sender = getattr(module, "send_email", None)
    return sender if callable(sender) else None


def send_email(
    *, to: str, subject: str, body: str, reply_to: str = "", reference: str = ""
) -> None:
    """Send one plain-text e-mail; raises EmailNotSent when it did not go."""
    shared = _shared_sender()
    if shared is not None:
        result = shared(
            to, subject, body, reference=reference, reply_to=[reply_to] if reply_to else []
        )
        if not result.ok:
            raise EmailNotSent(str(result.error), permanent=bool(result.permanent))
        return
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        logger.warning("e-mail %s failed: %s", reference, exc)
        raise EmailNotSent(f"{type(exc).__name__}: {exc}", permanent=False) from exc
