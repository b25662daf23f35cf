"""The one place the portal sends e-mail from (messaging's e-mail module, when it exists)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage


def send_email(*, to: str, subject: str, body: str, reply_to: str = "") -> None:
    """Send one plain-text e-mail through Django's configured mail backend."""
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.send(fail_silently=False)
