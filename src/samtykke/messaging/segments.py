"""How many SMS a text takes, and what it costs (3GPP TS 23.038 / 23.040).

A text goes as GSM-7 when every character is in the GSM 03.38 basic set (which has æøåÆØÅ) or
its extension table (``^ { } \\ [ ~ ] | €`` and form feed, which take two septets each: the
escape and the character). Otherwise it goes as UCS-2, counted in UTF-16 code units (an emoji
outside the BMP takes two). One message holds 160 septets or 70 units; a longer text is split
into parts of 153 septets or 67 units (the rest is the concatenation header), and a part never
splits an escape pair or a surrogate pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # 160/153 or 70/67: the limit that applies to this text
    unsupported: tuple[str, ...] = ()  # the characters that forced UCS-2, in order, once each

    @property
    def remaining(self) -> int:
        """Units left before the text takes another segment (ignoring packing waste)."""
        if self.segments <= 1:
            return SINGLE[self.encoding] - self.units
        return self.segments * self.per_segment - self.units


def _unit_sizes(text: str) -> tuple[str, list[int], tuple[str, ...]]:
    unsupported = [c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION]
    if not unsupported:
        return GSM7, [2 if c in GSM7_EXTENSION else 1 for c in text], ()
    return UCS2, [2 if ord(c) > 0xFFFF else 1 for c in text], tuple(dict.fromkeys(unsupported))


def _pack(sizes: list[int], capacity: int) -> int:
    """Parts needed when no character (escape pair, surrogate pair) may straddle two parts."""
    parts, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            parts, used = parts + 1, 0
        used += size
    return parts


def sms_length(text: str) -> SmsLength:
    encoding, sizes, unsupported = _unit_sizes(text)
    units = sum(sizes)
    if units == 0:
        return SmsLength(encoding, 0, 0, SINGLE[encoding], unsupported)
    if units <= SINGLE[encoding]:
        return SmsLength(encoding, units, 1, SINGLE[encoding], unsupported)
    return SmsLength(encoding, units, _pack(sizes, PART[encoding]), PART[encoding], unsupported)


def count_segments(text: str) -> int:
    return sms_length(text).segments


def is_gsm7(text: str) -> bool:
    return sms_length(text).encoding == GSM7


def estimate_cost(segments: int, messages: int = 1, *, price: Decimal | None = None) -> Decimal:
    """Price of ``messages`` SMS of ``segments`` parts each, at ``SAMTYKKE_SMS_PRICE_PER_SEGMENT``
    (NOK, default 0.45) unless ``price`` is given; rounded to øre."""
    per_segment = settings.SMS_PRICE_PER_SEGMENT if price is None else price
    return (Decimal(segments) * Decimal(messages) * Decimal(per_segment)).quantize(Decimal("0.01"))


def estimate_text_cost(text: str, messages: int = 1) -> Decimal:
    return estimate_cost(sms_length(text).segments, messages)
