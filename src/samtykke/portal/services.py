"""What the portal writes: the customer's choices, and the confirmation of a new e-mail address.

Consent itself is written only through ``consent.actions.record_consent``. Every submit runs in
one transaction with the customer's row locked, so a double submit or two tabs on the same link
are applied one after the other, each against the state the previous one left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from samtykke.consent.actions import Actor, ConsentError, Decision, record_consent
from samtykke.consent.links import hash_token, new_token
from samtykke.consent.models import NoticeVersion, PersonalLink, Source, Status
from samtykke.customers.models import Customer
from samtykke.customers.normalize import normalize_email
from samtykke.portal.choices import decide, load_choices
from samtykke.portal.models import EmailConfirmation
from samtykke.portal.pagedata import dealer_page

CONFIRMATION_DAYS = 7


class PortalError(ValueError):
    """A submit the page must show back to the customer (``code`` picks the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class LinkGone(PortalError):
    def __init__(self) -> None:
        super().__init__("link_gone")


@dataclass(frozen=True)
class Saved:
    recorded: int
    confirmation_id: int | None


# What the pages read of a link and its customer (the dealer comes from pagedata).
LINK_FIELDS = (
    *("id", "dealer_id", "customer_id", "origin", "expires_at", "revoked_at"),
    *("customer__id", "customer__dealer_id", "customer__name", "customer__erased_at"),
    *("customer__mobile", "customer__mobile_is_valid", "customer__mobile_is_mobile"),
    *("customer__email", "customer__email_is_valid"),
)


# Built once: each request only adds its filter (a clone) and slices. Building select_related()
# and only() anew, and .first()'s ORDER BY, cost more than running the query. Never evaluate
# these themselves.
_LINKS = PersonalLink.all_dealers.select_related("customer").only(*LINK_FIELDS)
_LINKS_OPENED = _LINKS.only(*LINK_FIELDS, "first_opened_at")
_LOCKED_CUSTOMERS = Customer.all_dealers.select_for_update()  # always with its dealer_id


def usable_link(link_id: int) -> PersonalLink | None:
    """The session's link, if it still works (not expired, revoked, or its customer erased)."""
    link = next(iter(_LINKS.filter(pk=link_id)[:1]), None)  # the primary key: one row at most
    if link is None or not link.is_usable or link.customer.is_erased:
        return None
    link.dealer = dealer_page(link.dealer_id).dealer
    return link


def link_for_token(token: str) -> PersonalLink | None:
    """The link a token names, usable or not (the caller tells expired from unknown), with
    only what the portal reads: one query, the dealer from ``pagedata``. The token itself is
    the scope: it names exactly one dealer's customer.
    """
    if not token or len(token) > 100:
        return None
    link = next(iter(_LINKS_OPENED.filter(token_hash=hash_token(token))[:1]), None)  # unique
    if link is not None:
        link.dealer = dealer_page(link.dealer_id).dealer
    return link


def open_confirmation(link: PersonalLink) -> EmailConfirmation | None:
    return (
        EmailConfirmation.objects.for_dealer(link.dealer_id)
        .filter(
            customer_id=link.customer_id,
            confirmed_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


def clean_email(typed: str) -> str:
    """The normalized address, or "" when nothing was typed; PortalError when it is not one."""
    typed = typed.strip()
    if not typed:
        return ""
    if len(typed) > 254:
        raise PortalError("email_invalid")
    result = normalize_email(typed)
    if not result.is_valid:
        raise PortalError("email_invalid")
    return result.value


def save_choices(
    *,
    link: PersonalLink,
    ticked: set[str],
    typed_email: str,
    notice: NoticeVersion,
    evidence: dict[str, Any],
) -> Saved:
    """Record what the customer chose on the page (``ticked``: the ticked fields' names)."""
    email = clean_email(typed_email)
    with transaction.atomic():
        dealer = link.dealer
        customer = _LOCKED_CUSTOMERS.get(dealer_id=dealer.pk, pk=link.customer_id)
        if customer.is_erased:  # erased (and its links revoked) since the link was read
            raise LinkGone
        rows = load_choices(dealer, customer)
        email_fields = {c.name for row in rows for c in row.choices if c.channel.key == "email"}
        wants_email = bool(email_fields & ticked)
        any_pending = any(c.pending for row in rows for c in row.choices)
        pending = open_confirmation(link) if any_pending else None
        new_email = (
            bool(email) and email != customer.email and (pending is None or email != pending.email)
        )
        if wants_email and not email and not customer.email_is_valid and pending is None:
            raise PortalError("email_needed")
        decisions = decide(rows, ticked, notice=notice, new_email=new_email and wants_email)
        if new_email and wants_email:
            evidence = {**evidence, "email_entered": email}
        if decisions:
            _record(
                dealer=dealer,
                customer=customer,
                decisions=decisions,
                notice=notice,
                evidence=evidence,
            )
        confirmation_id = None
        if pending is not None and (not wants_email or (new_email and wants_email)):
            _cancel_open(link)
        if new_email and wants_email:
            confirmation_id = _ask_for_confirmation(link, customer, email, notice, rows, ticked)
    return Saved(len(decisions), confirmation_id)


def _record(
    *,
    dealer: Any,
    customer: Customer,
    decisions: list[Decision],
    notice: NoticeVersion,
    evidence: dict[str, Any],
) -> None:
    try:
        record_consent(
            dealer=dealer,
            customer=customer,
            decisions=decisions,
            source=Source.PORTAL,
            actor=Actor.customer(),
            notice_version=notice,
            language=notice.language,
            evidence=evidence,
        )
    except ConsentError as exc:  # a purpose or channel changed since the page was shown
        raise PortalError("notice_changed") from exc


def _cancel_open(link: PersonalLink) -> None:
    EmailConfirmation.objects.for_dealer(link.dealer_id).filter(
        customer_id=link.customer_id, confirmed_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())


def _ask_for_confirmation(
    link: PersonalLink,
    customer: Customer,
    email: str,
    notice: NoticeVersion,
    rows: list[Any],
    ticked: set[str],
) -> int:
    from samtykke.portal.tasks import send_email_confirmation

    purposes = [
        c.purpose.key
        for row in rows
        for c in row.choices
        if c.channel.key == "email" and c.name in ticked
    ]
    confirmation = EmailConfirmation.objects.create(
        dealer_id=link.dealer_id,
        customer=customer,
        link=link,
        email=email,
        purpose_keys=purposes,
        notice_version=notice,
        language=notice.language,
        expires_at=timezone.now() + dt.timedelta(days=CONFIRMATION_DAYS),
    )
    transaction.on_commit(lambda: send_email_confirmation.enqueue(confirmation.pk))
    return confirmation.pk


def issue_confirmation_token(confirmation_id: int) -> str | None:
    """A fresh token for the e-mail, stored as a hash; None when it was already sent.

    The token is made here, just before sending, so it never rests in the task queue.
    """
    token, token_hash = new_token()
    claimed = EmailConfirmation.all_dealers.filter(
        pk=confirmation_id, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(sent_at=timezone.now(), token_hash=token_hash)
    return token if claimed else None


def release_confirmation_token(confirmation_id: int) -> None:
    """Sending failed: let a retry make a new token and send again."""
    EmailConfirmation.all_dealers.filter(pk=confirmation_id).update(sent_at=None, token_hash=None)


def find_confirmation(token: str) -> EmailConfirmation | None:
    if not token or len(token) > 100:
        return None
    return (
        EmailConfirmation.all_dealers.select_related("dealer", "customer", "notice_version")
        .filter(token_hash=hash_token(token))
        .first()
    )


class ConfirmationGone(PortalError):
    def __init__(self) -> None:
        super().__init__("confirmation_gone")


def confirm_email(*, confirmation_id: int, evidence: dict[str, Any]) -> EmailConfirmation:
    """The customer followed the link and pressed "Confirm": ``given``, and the address applied.

    Only a consent still ``pending`` becomes ``given``: a "no" said on the page since wins.
    The customer's row is locked first, as on the page, so the two never wait on each other.
    """
    found = EmailConfirmation.all_dealers.filter(pk=confirmation_id).first()
    if found is None:
        raise ConfirmationGone
    with transaction.atomic():
        customer = (
            Customer.objects.for_dealer(found.dealer_id)
            .select_for_update()
            .get(pk=found.customer_id)
        )
        confirmation = (
            EmailConfirmation.objects.for_dealer(found.dealer_id)
            .select_related("dealer", "notice_version__notice", "notice_version__dealer")
            .get(pk=found.pk)
        )
        if confirmation.confirmed_at is not None:
            return confirmation  # a second press: already done
        recorded = []
        if confirmation.is_open and not customer.is_erased:
            recorded = _record_confirmed(confirmation, customer, evidence)
        if recorded:
            apply_confirmed_email(customer, confirmation.email)
            confirmation.confirmed_at = timezone.now()
            confirmation.save(update_fields=["confirmed_at"])
            return confirmation
        if confirmation.cancelled_at is None:  # decided otherwise since: nothing to confirm
            confirmation.cancelled_at = timezone.now()
            confirmation.save(update_fields=["cancelled_at"])
    raise ConfirmationGone


def _record_confirmed(
    confirmation: EmailConfirmation, customer: Customer, evidence: dict[str, Any]
) -> list[Any]:
    try:
        return record_consent(
            dealer=confirmation.dealer,
            customer=customer,
            decisions=[Decision(key, "email", Status.GIVEN) for key in confirmation.purpose_keys],
            source=Source.EMAIL_CONFIRMATION,
            actor=Actor.customer(),
            notice_version=confirmation.notice_version,
            language=confirmation.notice_version.language,
            evidence={
                **evidence,
                "email_confirmation": confirmation.pk,
                "personal_link": confirmation.link_id,
                "email_confirmed": confirmation.email,
            },
            only_if_current_in=[Status.PENDING],
        )
    except ConsentError:  # the purpose was retired since
        return []


def apply_confirmed_email(customer: Customer, email: str) -> None:
    """The confirmed address becomes the customer's address (the DMS sees it in the feed)."""
    result = normalize_email(email)
    customer.email = result.value[:254]
    customer.email_is_valid = result.is_valid
    customer.email_problem = result.problem[:300]
    customer.updated_at = timezone.now()
    customer.save(update_fields=["email", "email_is_valid", "email_problem", "updated_at"])
