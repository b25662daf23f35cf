"""The form reference printed on a paper consent form, typed or scanned when it comes back.

``demo-bil/10001/nb-v1/WO-123`` names the dealer (its slug), the customer number, the notice
version printed on the form (language and version of the dealer's ``consent`` notice) and,
when printed from an order, the order reference. It is short enough to type from the paper and
is also printed as a small QR code next to it.

Parts are separated by ``/``; a ``/``, ``%`` or space inside a customer number or order
reference is percent-encoded, so every reference parses back to exactly what was printed.
A customer without a customer number is named by its external id, prefixed ``e:``.
A notice other than the default ``consent`` notice is written ``key:nb-v1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from samtykke.consent.models import NoticeVersion
from samtykke.consent.notices import NoticeError, find_notice_version
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

DEFAULT_NOTICE_KEY = "consent"
EXTERNAL_ID_PREFIX = "e:"
_NOTICE_PART = re.compile(r"^(?:(?P<key>[a-z0-9_-]+):)?(?P<lang>nb|nn|en)-v(?P<version>\d{1,6})$")


class FormReferenceError(ValueError):
    """The text is not a form reference of this dealer; the message says why, for staff."""


@dataclass(frozen=True)
class FormReference:
    """What a form reference names. ``customer_number`` is empty when ``external_id`` is set."""

    customer_number: str
    notice_version: NoticeVersion
    order_reference: str = ""
    external_id: str = ""

    def find_customer(self, dealer: Dealer) -> Customer | None:
        """The dealer's customer the form was printed for (None if unknown or erased)."""
        customers = Customer.objects.for_dealer(dealer).filter(erased_at__isnull=True)
        if self.external_id:
            return customers.filter(external_id=self.external_id).first()
        return customers.filter(customer_number=self.customer_number).order_by("pk").first()


def _encode(part: str) -> str:
    return quote(part, safe="-._~+#()")


def format_form_reference(
    *, dealer: Dealer, customer: Customer, notice_version: NoticeVersion, order_reference: str = ""
) -> str:
    """The reference printed on the form, e.g. ``demo-bil/10001/nb-v1/WO-123``."""
    if customer.dealer_id != dealer.pk or notice_version.dealer_id != dealer.pk:
        raise ValueError("The customer and the notice version must be the dealer's.")
    if customer.customer_number:
        who = _encode(customer.customer_number)
    else:
        who = EXTERNAL_ID_PREFIX + _encode(customer.external_id)
    notice = f"{notice_version.language}-v{notice_version.version}"
    key = notice_version.notice.key
    if key != DEFAULT_NOTICE_KEY:
        notice = f"{key}:{notice}"
    parts = [dealer.slug, who, notice]
    if order_reference.strip():
        parts.append(_encode(order_reference.strip()))
    return "/".join(parts)


def parse_form_reference(dealer: Dealer, text: str) -> FormReference:
    """Read a typed or scanned reference; raises FormReferenceError naming what is wrong.

    Surrounding spaces and the case of the dealer and notice parts are forgiven (people type
    them); the customer number and order reference are kept exactly.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise FormReferenceError("The form reference is empty.")
    if len(cleaned) > 300:
        raise FormReferenceError("The form reference is too long to be one of ours.")
    parts = cleaned.split("/")
    if len(parts) not in (3, 4):
        raise FormReferenceError(
            "A form reference looks like dealer/customer number/notice version[/order], "
            f"e.g. {dealer.slug}/10001/nb-v1/WO-123."
        )
    slug, who, notice_part = parts[0].strip().lower(), parts[1].strip(), parts[2].strip()
    order = unquote(parts[3].strip()) if len(parts) == 4 else ""
    if slug != dealer.slug:
        raise FormReferenceError(f"The form was printed for another dealer ({parts[0]!r}).")
    if not who or who == EXTERNAL_ID_PREFIX:
        raise FormReferenceError("The form reference names no customer.")
    match = _NOTICE_PART.match(notice_part.lower())
    if match is None:
        raise FormReferenceError(
            f"{notice_part!r} is not a notice version (it looks like nb-v1, nn-v2 or en-v1)."
        )
    key = match["key"] or DEFAULT_NOTICE_KEY
    printed = f"{dealer.slug}/{key}/{match['lang']}/v{int(match['version'])}"
    try:
        notice_version = find_notice_version(dealer, printed)
    except NoticeError:
        raise FormReferenceError(
            f"Notice version {notice_part!r} was never published by {dealer.name}."
        ) from None
    if who.startswith(EXTERNAL_ID_PREFIX):
        return FormReference("", notice_version, order, external_id=unquote(who[2:]))
    return FormReference(unquote(who), notice_version, order)
