"""The campaign message: placeholders, the rules it must keep, its length, segments and cost."""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from samtykke.tenancy.models import Dealer

PLACEHOLDERS = ("fornavn", "forhandler", "lenke")
# Length of a personal link as it will be in the message (PUBLIC_URL/s/ + 32 characters).
TOKEN_LENGTH = 32
PRICE_PER_SEGMENT = Decimal("0.45")  # NOK, a typical Norwegian bulk SMS price

DEFAULT_MESSAGE = (
    "Hei {fornavn}! {forhandler} vil gjerne sende deg tilbud og nyheter. Svar ja eller nei her: "
    "{lenke} (gratis, du kan også si nei takk der)"
)
DEFAULT_EMAIL_SUBJECT = "Vil du ha tilbud og nyheter fra {forhandler}?"
DEFAULT_EMAIL_MESSAGE = (
    "Hei {fornavn}!\n\n{forhandler} vil gjerne sende deg tilbud og nyheter på e-post og SMS. "
    "Du velger selv, og det er gratis å si nei takk. Svar her:\n\n{lenke}\n\n"
    "Lenken er personlig. Du kan endre svaret ditt senere med den samme lenken.\n\n"
    "Hilsen {forhandler}"
)


class MessageError(ValueError):
    pass


def placeholders_in(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise MessageError(
            _("The text has an unmatched { or }: %(error)s") % {"error": exc}
        ) from None


def check_message(text: str, dealer: Dealer) -> list[str]:
    """The reasons the message is refused (empty: it may be sent)."""
    problems: list[str] = []
    if not text.strip():
        return [_("The message is empty.")]
    try:
        names = placeholders_in(text)
    except MessageError as exc:
        return [str(exc)]
    unknown = sorted(n for n in names if n not in PLACEHOLDERS)
    if unknown:
        problems.append(
            _("Unknown placeholder %(names)s: use {fornavn}, {forhandler} and {lenke}.")
            % {"names": ", ".join("{" + n + "}" for n in unknown)}
        )
    if "lenke" not in names:
        problems.append(
            _("The message must contain {lenke}: the personal link is the free way to say no.")
        )
    if "forhandler" not in names and dealer.name.casefold() not in text.casefold():
        problems.append(
            _("The message must name the dealer: write {forhandler} or %(name)s.")
            % {"name": dealer.name}
        )
    return problems


def render(text: str, *, first_name: str, dealer: Dealer, url: str) -> str:
    return text.format(fornavn=first_name or "", forhandler=dealer.name, lenke=url).replace(
        "  ", " "
    )


def example_url() -> str:
    from django.conf import settings

    return f"{settings.PUBLIC_URL}/s/" + "x" * TOKEN_LENGTH


@dataclass(frozen=True)
class Measure:
    length: int
    segments: int
    encoding: str  # "GSM-7" or "UCS-2"
    cost: Decimal


def measure(text: str, *, dealer: Dealer, first_name: str = "Kari", recipients: int = 1) -> Measure:
    """Length and segments of the message as a customer with an ordinary first name gets it."""
    body = render(text, first_name=first_name, dealer=dealer, url=example_url())
    info = count_segments(body)
    cost = PRICE_PER_SEGMENT * info.segments * max(recipients, 1)
    return Measure(info.length, info.segments, info.encoding, cost)


@dataclass(frozen=True)
class SegmentInfo:
    length: int  # in the encoding's units (septets for GSM-7, UTF-16 code units for UCS-2)
    segments: int
    encoding: str


def count_segments(body: str) -> SegmentInfo:
    """messaging.segments when present; the same rules here until then."""
    try:
        from samtykke.messaging import segments  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return _count(body)
    result = segments.count_segments(body)
    return SegmentInfo(int(result.length), int(result.segments), str(result.encoding))


_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def _count(body: str) -> SegmentInfo:
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in body)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // multi)
    return SegmentInfo(units, segments, encoding)
