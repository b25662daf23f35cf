"""The choices on the customer's page: one per purpose and channel, and what a submit means.

A box is ticked only when the customer said yes before (``given``, or ``pending`` while an
e-mail confirmation is awaited); never by default. On submit:

- ticked where the customer had not said yes → ``given``; ticked e-mail with a newly typed
  address → ``pending`` (double opt-in; the same address again while its confirmation is
  awaited is not new);
- unticked where the customer had said yes → ``withdrawn``; where a confirmation was pending →
  ``refused``; where nothing was decided yet (``unknown``, ``requested``, ``expired``) →
  ``refused``; already ``refused``/``withdrawn`` → nothing new;
- "Nei takk" is every box unticked.

Decisions that would not change the status are not recorded again, so a double submit adds
nothing; a yes that stands is recorded again only when it was given under another notice
version (the customer saw and accepted a newer text).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections, router

from samtykke.consent.actions import Decision
from samtykke.consent.models import (
    Channel,
    ConsentEvent,
    ConsentState,
    NoticeVersion,
    Purpose,
    Status,
)
from samtykke.customers.models import Customer
from samtykke.customers.normalize import mask_email, mask_phone
from samtykke.portal.pagedata import dealer_page
from samtykke.sql import Prepared
from samtykke.tenancy.models import Dealer

YES = {Status.GIVEN, Status.PENDING}
NO = {Status.REFUSED, Status.WITHDRAWN}


@dataclass(frozen=True)
class Choice:
    purpose: Purpose
    channel: Channel
    status: str | None  # the current status; None when nothing was ever recorded
    notice_version_id: int | None  # the notice version of the current status' event

    @property
    def name(self) -> str:
        """The form field's name: ``c-<purpose>-<channel>``."""
        return f"c-{self.purpose.key}-{self.channel.key}"

    @property
    def ticked(self) -> bool:
        return self.status in YES

    @property
    def pending(self) -> bool:
        return self.status == Status.PENDING


@dataclass(frozen=True)
class PurposeChoices:
    purpose: Purpose
    choices: list[Choice]


# (purpose_id, channel_id, status, notice_version_id) of one of the customer's current states.
State = tuple[int, int, str, int | None]

# What every statement reading a customer's states selects, as ``State`` rows.
STATE_COLUMNS = ("s.purpose_id", "s.channel_id", "s.status", "e.notice_version_id")


def states_sql(dealer: str = "%s", customer: str = "%s") -> str:
    """The customer's current states with the notice version of each state's event, as plain
    SQL (compiling a QuerySet cost several times running it). ``dealer`` and ``customer`` are
    SQL: parameters, or subqueries for a caller that knows only a link. The page reads the states
    with its link instead (``services.usable_link_with_states``)."""
    return (
        f"SELECT {', '.join(STATE_COLUMNS)} "  # noqa: S608 - names from the models
        f"FROM {ConsentState._meta.db_table} s JOIN {ConsentEvent._meta.db_table} e "
        f"ON e.id = s.event_id WHERE s.dealer_id = {dealer} AND s.customer_id = {customer}"
    )


_STATES = Prepared("portal_current_states", states_sql())


def current_states(dealer_id: int, customer_id: int) -> list[State]:
    """(purpose_id, channel_id, status, notice_version_id) for each of the customer's states."""
    connection = connections[router.db_for_read(ConsentState)]
    with connection.cursor() as cursor:
        cursor.execute(_STATES.on(connection), [dealer_id, customer_id])
        return [(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()]


def load_choices(
    dealer: Dealer, customer: Customer, states: list[State] | None = None
) -> list[PurposeChoices]:
    """The page's rows; ``states`` when the caller read them already, else read here."""
    if states is None:
        states = current_states(dealer.pk, customer.pk)
    by_key = {
        (purpose_id, channel_id): (status, notice_version_id)
        for purpose_id, channel_id, status, notice_version_id in states
    }
    found = []
    for purpose, channels in dealer_page(dealer).purposes:
        choices = []
        for channel in channels:
            status, notice_version_id = by_key.get((purpose.pk, channel.pk), (None, None))
            choices.append(Choice(purpose, channel, status, notice_version_id))
        if choices:
            found.append(PurposeChoices(purpose, choices))
    return found


def channel_address(customer: Customer, channel_key: str) -> str:
    """Where the channel reaches the customer, masked: enough to recognize, not to harvest."""
    if channel_key == "sms":
        return mask_phone(customer.mobile) if customer.can_receive_sms else ""
    if channel_key == "email":
        return mask_email(customer.email) if customer.email_is_valid else ""
    return ""


def decide(
    rows: list[PurposeChoices],
    ticked: set[str],
    *,
    notice: NoticeVersion,
    new_email: bool,
) -> list[Decision]:
    """The decisions a submit records (see the module's rules); ``ticked`` holds field names."""
    decisions = []
    for row in rows:
        for choice in row.choices:
            status = _new_status(choice, choice.name in ticked, notice=notice, new_email=new_email)
            if status is not None:
                decisions.append(Decision(choice.purpose.key, choice.channel.key, status))
    return decisions


def _new_status(choice: Choice, yes: bool, *, notice: NoticeVersion, new_email: bool) -> str | None:
    if yes:
        wanted = Status.PENDING if choice.channel.key == "email" and new_email else Status.GIVEN
        if wanted == Status.GIVEN and choice.status == wanted:
            return None if choice.notice_version_id == notice.pk else wanted
        if choice.status == Status.PENDING and wanted == Status.GIVEN:
            return None  # still waiting for the e-mail link; a re-save does not skip it
        return wanted
    if choice.status == Status.GIVEN:
        return Status.WITHDRAWN
    if choice.status in NO:
        return None
    return Status.REFUSED
