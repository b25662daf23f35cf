"""E-mail through Django's mail backends (``SAMTYKKE_EMAIL_BACKEND``): one function for everyone.

    from samtykke.messaging.email import send_email

    result = send_email(
        "kari@example.no", "Samtykke fra Demo Bil", text, html=None, reference=f"recipient:{r.pk}"
    )
    if not result.ok: ...  # result.permanent: a bad address; otherwise worth a retry

Returns the same ``SendResult`` as the SMS backends: ``provider_id`` is the Message-ID header.
Never raises for a bad address or a mail server error.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid

from samtykke.customers.normalize import normalize_email
from samtykke.messaging.sms.base import FAILED, SENT, SendResult

logger = logging.getLogger(__name__)

REFERENCE_HEADER = "X-Samtykke-Reference"


def send_email(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    *,
    reference: str = "",
    from_email: str | None = None,
    reply_to: Sequence[str] = (),
) -> SendResult:
    address = normalize_email(to)
    if not address.is_valid:
        return SendResult(FAILED, error=address.problem or "no e-mail address", permanent=True)
    if "\n" in subject or "\r" in subject:
        return SendResult(FAILED, error="the subject has a line break", permanent=True)
    domain = (from_email or settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or None
    message_id = make_msgid(domain=domain)
    headers = {"Message-ID": message_id}
    if reference:
        headers[REFERENCE_HEADER] = reference
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[address.value],
        reply_to=list(reply_to) or None,
        headers=headers,
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        return SendResult(FAILED, error=f"refused: {exc.recipients}", permanent=True)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("e-mail %s to %s failed: %s", reference, address.value, exc)
        return SendResult(FAILED, error=f"{type(exc).__name__}: {exc}", permanent=False)
    return SendResult(SENT, provider_id=message_id)
