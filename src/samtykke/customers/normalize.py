"""Normalizing mobile numbers and e-mail addresses, keeping the reason when they are invalid."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType


@dataclass(frozen=True)
class PhoneResult:
    value: str  # E.164 when valid, else the raw input as given
    is_valid: bool
    is_mobile: bool
    problem: str  # empty when valid and a mobile number


@functools.lru_cache(maxsize=50_000)  # exports repeat numbers (families, companies)
def normalize_phone(raw: str | None, region: str = "NO") -> PhoneResult:
    text = (raw or "").strip()
    if not text:
        return PhoneResult("", False, False, "")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        return PhoneResult(text, False, False, f"not a phone number ({exc._msg})")
    # number_type is UNKNOWN exactly when is_valid_number is false (both match the number
    # against its region's patterns; asking both did that twice).
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return PhoneResult(text, False, False, "not a valid phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    is_mobile = kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    problem = "" if is_mobile else "not a mobile number (cannot receive SMS)"
    return PhoneResult(e164, True, is_mobile, problem)


@dataclass(frozen=True)
class EmailResult:
    value: str
    is_valid: bool
    problem: str


@functools.lru_cache(maxsize=50_000)
def normalize_email(raw: str | None) -> EmailResult:
    text = (raw or "").strip()
    if not text:
        return EmailResult("", False, "")
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return EmailResult(text, False, f"not a valid e-mail address ({exc})")
    return EmailResult(info.normalized, True, "")


def mask_phone(e164: str) -> str:
    """+4791234567 → +47 ••• •• 567: enough to recognize, not enough to harvest."""
    if len(e164) < 6:
        return "•" * len(e164)
    return f"{e164[:3]} ••• •• {e164[-3:]}"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    if not domain:
        return "•••"
    return f"{local[:1]}•••@{domain}"
