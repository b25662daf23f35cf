"""GSM-7/UCS-2 detection and segment counts against known examples."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from samtykke.messaging.segments import (
    GSM7,
    UCS2,
    count_segments,
    estimate_cost,
    estimate_text_cost,
    is_gsm7,
    sms_length,
)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("Hei Åse! Vil du ha tilbud fra Bilhuset Nord? Svar her: æøå ÆØÅ", GSM7, 62, 1),
        ("€" * 80, GSM7, 160, 1),  # escape characters take two septets
        ("€" * 81, GSM7, 162, 2),
        ("a" * 159 + "[", GSM7, 161, 2),
        ("[]{}~\\|^€", GSM7, 18, 1),
        # An escape pair never straddles two parts: 152 + (2) + 152 needs three, not two.
        ("a" * 152 + "€" + "a" * 152, GSM7, 306, 3),
        ("Hei 😀", UCS2, 6, 1),
        ("a" * 69 + "😀", UCS2, 71, 2),  # 70 characters, the emoji is two UTF-16 units
        ("ç" * 70, UCS2, 70, 1),  # ç is not GSM-7 (Ç is)
        ("ç" * 71, UCS2, 71, 2),
        ("ç" * 134, UCS2, 134, 2),
        ("ç" * 135, UCS2, 135, 3),
        ("Привет", UCS2, 6, 1),
    ],
)
def test_known_examples(text: str, encoding: str, units: int, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)
    assert count_segments(text) == segments
    assert is_gsm7(text) is (encoding == GSM7)


def test_what_forced_ucs2_is_named_once_each() -> None:
    assert sms_length("Hei 😀 og 😀 – ja").unsupported == ("😀", "–")
    assert sms_length("plain").unsupported == ()


def test_remaining() -> None:
    assert sms_length("a" * 150).remaining == 10
    assert sms_length("a" * 200).remaining == 306 - 200
    assert sms_length("😀").remaining == 68


def test_cost(settings: Any) -> None:
    settings.SMS_PRICE_PER_SEGMENT = Decimal("0.45")
    assert estimate_cost(2, 1000) == Decimal("900.00")
    assert estimate_cost(1, 3, price=Decimal("0.333")) == Decimal("1.00")
    assert estimate_text_cost("a" * 161, 10) == Decimal("9.00")
