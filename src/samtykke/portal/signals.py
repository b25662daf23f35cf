"""The portal's part in erasure: an erased customer's typed e-mail addresses go too."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from samtykke.consent.actions import customer_erased
from samtykke.portal.models import EmailConfirmation


@receiver(customer_erased, dispatch_uid="portal.forget_email_confirmations")
def forget_email_confirmations(
    sender: Any, *, dealer_id: int, customer_id: int, **kwargs: Any
) -> None:
    EmailConfirmation.objects.for_dealer(dealer_id).filter(customer_id=customer_id).delete()
