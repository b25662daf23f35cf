"""Background work of the portal: the double opt-in e-mail."""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from samtykke.portal.mail import EmailNotSent, send_email
from samtykke.portal.models import EmailConfirmation
from samtykke.portal.services import issue_confirmation_token, release_confirmation_token

logger = logging.getLogger(__name__)


def confirmation_url(token: str) -> str:
    return f"{settings.PUBLIC_URL}/e/{token}"


@task()
def send_email_confirmation(confirmation_id: int) -> bool:
    """Send the confirmation e-mail once (the row's ``sent_at`` is the guard)."""
    confirmation = (
        EmailConfirmation.all_dealers.select_related("dealer", "customer")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None or not confirmation.is_open:
        return False
    token = issue_confirmation_token(confirmation_id)
    if token is None:
        return False
    dealer = confirmation.dealer
    with translation.override(confirmation.language):
        subject = _("Confirm your e-mail address for %(dealer)s") % {"dealer": dealer.name}
        body = render_to_string(
            "portal/email_confirmation.txt",
            {
                "dealer": dealer,
                "first_name": confirmation.customer.first_name,
                "url": confirmation_url(token),
                "expires_at": confirmation.expires_at,
            },
        )
    try:
        send_email(
            to=confirmation.email,
            subject=subject,
            body=body,
            reply_to=dealer.contact_email,
            reference=f"email-confirmation:{confirmation_id}",
        )
    except EmailNotSent as exc:
        if exc.permanent:  # the address is refused: the consent stays pending, unconfirmed
            logger.warning("confirmation %s: address refused (%s)", confirmation_id, exc)
            return False
        release_confirmation_token(confirmation_id)  # a retry makes a new token and sends
        raise
    return True
