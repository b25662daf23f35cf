"""The campaign message: placeholders, the rules it must keep, its length, segments and cost."""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from samtykke.messaging.segments import estimate_cost, sms_length
from samtykke.tenancy.models import Dealer

PLACEHOLDERS = ("fornavn", "forhandler", "lenke")
# Length of a personal link as it will be in the message (PUBLIC_URL/s/ + 32 characters).
TOKEN_LENGTH = 32

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
    length: int  # septets (GSM-7) or UTF-16 units (UCS-2)
    segments: int
    encoding: str  # "GSM-7" or "UCS-2"
    cost: Decimal  # NOK for every recipient
    unsupported: tuple[str, ...]  # the characters that forced UCS-2


def measure(text: str, *, dealer: Dealer, first_name: str = "Kari", recipients: int = 1) -> Measure:
    """Length and segments of the message as a customer with an ordinary first name gets it."""
    body = render(text, first_name=first_name, dealer=dealer, url=example_url())
    info = sms_length(body)
    cost = estimate_cost(info.segments, max(recipients, 1))
    return Measure(info.units, info.segments, info.encoding, cost, info.unsupported)
