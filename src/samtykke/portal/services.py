"""What the portal writes: the customer's choices, and the confirmation of a new e-mail address.

Consent itself is written only through ``consent.actions.record_consent``. Every submit runs in
one transaction with the customer's row locked, so a double submit or two tabs on the same link
are applied one after the other, each against the state the previous one left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, router, transaction
from django.utils import timezone

from samtykke.consent.actions import (
    Actor,
    ConsentError,
    Decision,
    LockedHead,
    head_lock_sql,
    record_consent,
)
from samtykke.consent.links import hash_token, new_token
from samtykke.consent.models import (
    ConsentEvent,
    ConsentState,
    NoticeVersion,
    PersonalLink,
    Source,
    Status,
)
from samtykke.customers.models import Customer
from samtykke.customers.normalize import normalize_email
from samtykke.portal.choices import STATE_COLUMNS, State, decide, load_choices, states_sql
from samtykke.portal.models import EmailConfirmation
from samtykke.portal.pagedata import dealer_page
from samtykke.sql import Prepared, fetch_each

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


# What the pages read of a link and its customer (the dealer comes from pagedata), in the
# models' field order (``Model.from_db`` takes the values in that order).
_LINK_FIELDS = (
    "id",
    "dealer_id",
    "customer_id",
    "origin",
    "expires_at",
    "first_opened_at",
    "revoked_at",
)
_CUSTOMER_FIELDS = (
    *("id", "dealer_id", "name", "mobile", "mobile_is_valid", "mobile_is_mobile"),
    *("email", "email_is_valid", "erased_at"),
)
_TIMES = {"expires_at", "first_opened_at", "revoked_at", "erased_at"}


def _link_sql(where: str, *, states: bool = False) -> str:
    """One statement for a link and its customer (and the customer's states, one row each).

    Read on every request of the page, so plain SQL built once: compiling an ORM query with
    select_related() cost more than running it. The customer is joined on the link's dealer
    too, so a link can only ever show its own dealer's customer.
    """
    columns = [f"l.{name}" for name in _LINK_FIELDS] + [f"c.{name}" for name in _CUSTOMER_FIELDS]
    joins = ""
    if states:  # one row per state (a link without states: one row, the state columns NULL)
        columns += STATE_COLUMNS
        joins = (
            f" LEFT JOIN {ConsentState._meta.db_table} s"
            " ON s.dealer_id = l.dealer_id AND s.customer_id = l.customer_id"
            f" LEFT JOIN {ConsentEvent._meta.db_table} e ON e.id = s.event_id"
        )
    return (
        f"SELECT {', '.join(columns)} FROM {PersonalLink._meta.db_table} l "  # noqa: S608 - names from the models
        f"JOIN {Customer._meta.db_table} c ON c.id = l.customer_id AND c.dealer_id = l.dealer_id"
        f"{joins} WHERE {where}"
    )


_BY_TOKEN = Prepared("portal_link_by_token", _link_sql("l.token_hash = %s"))
_BY_ID_WITH_STATES = Prepared("portal_link_states", _link_sql("l.id = %s", states=True))


def _aware(value: Any) -> Any:
    """SQLite gives the stored UTC times back naive (the ORM's converter would make them aware)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _link_from_row(row: Sequence[Any]) -> PersonalLink:
    """The link with its customer (only the fields above; others load on access) and dealer."""
    db = router.db_for_read(PersonalLink)
    n = len(_LINK_FIELDS)
    values = [
        _aware(v) if name in _TIMES else v
        for name, v in zip((*_LINK_FIELDS, *_CUSTOMER_FIELDS), row, strict=False)
    ]
    link = PersonalLink.from_db(db, _LINK_FIELDS, values[:n])
    customer = Customer.from_db(db, _CUSTOMER_FIELDS, values[n:])
    PersonalLink.customer.field.set_cached_value(link, customer)
    link.dealer = dealer_page(link.dealer_id).dealer
    return link


def _fetch(statement: Prepared, params: list[Any]) -> list[tuple[Any, ...]]:
    connection = connections[router.db_for_read(PersonalLink)]
    with connection.cursor() as cursor:
        cursor.execute(statement.on(connection), params)
        return list(cursor.fetchall())


def _usable(link: PersonalLink | None) -> PersonalLink | None:
    if link is None or not link.is_usable or link.customer.is_erased:
        return None
    return link


def usable_link_with_states(link_id: int) -> tuple[PersonalLink, list[State]] | None:
    """The session's link if it still works (not expired, revoked, or its customer erased),
    with the customer's current states: one statement for the page and the receipt."""
    rows = _fetch(_BY_ID_WITH_STATES, [link_id])
    link = _usable(_link_from_row(rows[0])) if rows else None
    if link is None:
        return None
    first = -len(STATE_COLUMNS)
    return link, [_state(row[first:]) for row in rows if row[first] is not None]


def _state(row: Sequence[Any]) -> State:
    return (row[0], row[1], row[2], row[3])


# A submit's three statements (it knows only the link's id): the link with its customer locked,
# the dealer's ledger head locked, the customer's states.
def _of_link(column: str) -> str:
    return f"(SELECT {column} FROM {PersonalLink._meta.db_table} WHERE id = %s)"  # noqa: S608 - names from the models


_LOCKED_BY_ID = Prepared(
    "portal_link_locked",
    _link_sql("l.id = %s")
    + (" FOR NO KEY UPDATE OF c" if connection.features.has_select_for_update else ""),
)
_HEAD_OF_LINK = Prepared("portal_head", head_lock_sql(_of_link("dealer_id")))
_STATES_OF_LINK = Prepared(
    "portal_states", states_sql(_of_link("dealer_id"), _of_link("customer_id"))
)


@dataclass(frozen=True)
class Submit:
    link: PersonalLink
    head: LockedHead  # the dealer's ledger head, locked in this transaction
    states: list[State]  # the customer's current states, read with both locks held


@contextmanager
def submitting(link_id: int) -> Iterator[Submit]:
    """One submit's transaction: the link's customer locked, then the dealer's ledger head,
    then the customer's states read; LinkGone when the link is not usable.

    The customer's lock puts a double submit, two tabs and an erasure one after the other; the
    head's lock is the ledger's own (``record_consent`` appends under it). The states are read
    by a statement that starts after both locks are held, so they are the ones every earlier
    write left, whoever wrote them. On PostgreSQL the three statements are one round trip.

    The customer is locked FOR NO KEY UPDATE, not FOR UPDATE: another writer's new event checks
    its customer key at commit (a deferred foreign key takes KEY SHARE on the customer) while
    holding the head this submit waits for. FOR UPDATE would block that check: a deadlock.
    """
    with transaction.atomic():
        db = connections[router.db_for_write(Customer)]
        links, heads, states = fetch_each(
            db,
            [
                (_LOCKED_BY_ID.on(db), [link_id]),
                (_HEAD_OF_LINK.on(db), [link_id]),
                (_STATES_OF_LINK.on(db), [link_id, link_id]),
            ],
        )
        link = _usable(_link_from_row(links[0])) if links else None
        if link is None or not heads:
            raise LinkGone
        yield Submit(link, LockedHead(*heads[0]), [_state(row) for row in states])


def link_for_token(token: str) -> PersonalLink | None:
    """The link a token names, usable or not (the caller tells expired from unknown), with
    only what the portal reads: one query, the dealer from ``pagedata``. The token itself is
    the scope: it names exactly one dealer's customer.
    """
    if not token or len(token) > 100:
        return None
    rows = _fetch(_BY_TOKEN, [hash_token(token)])  # token_hash is unique
    return _link_from_row(rows[0]) if rows else None


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
    submit: Submit,
    ticked: set[str],
    typed_email: str,
    notice: NoticeVersion,
    evidence: dict[str, Any],
) -> Saved:
    """Record what the customer chose on the page (``ticked``: the ticked fields' names).

    Runs inside ``submitting()``, whose transaction it joins, deciding on the states read there.
    """
    email = clean_email(typed_email)
    if not connections[router.db_for_write(Customer)].in_atomic_block:
        raise RuntimeError("save_choices runs inside submitting().")
    with transaction.atomic(savepoint=False):
        link = submit.link
        dealer = link.dealer
        customer = link.customer
        rows = load_choices(dealer, customer, submit.states)
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
                head=submit.head,
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
    head: LockedHead,
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
            head=head,
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
    The customer's row is locked first, as on the page, so the two never wait on each other
    (FOR NO KEY UPDATE, as there: see ``submitting``).
    """
    found = EmailConfirmation.all_dealers.filter(pk=confirmation_id).first()
    if found is None:
        raise ConfirmationGone
    with transaction.atomic():
        customer = (
            Customer.objects.for_dealer(found.dealer_id)
            .select_for_update(no_key=True)
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
