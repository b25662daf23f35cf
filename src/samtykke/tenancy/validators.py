"""Validators for Norwegian identifiers and SMS sender names."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number_is_valid(value: str) -> bool:
    """Brønnøysund organisation number: 9 digits, the last a MOD11 check digit."""
    digits = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], _ORG_WEIGHTS, strict=True))
    remainder = total % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(digits[8])


def validate_org_number(value: str) -> None:
    if not org_number_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid organisation number (9 digits with a MOD11 check digit)."),
            params={"value": value},
            code="org_number",
        )


def validate_sms_sender(value: str) -> None:
    """Alphanumeric sender id: at most 11 letters/digits, not digits only."""
    if not re.fullmatch(r"[A-Za-z0-9]{1,11}", value) or value.isdigit():
        raise ValidationError(
            _("The SMS sender name must be 1–11 letters or digits (A–Z, 0–9), not digits only."),
            code="sms_sender",
        )
