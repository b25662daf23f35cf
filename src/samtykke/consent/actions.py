"""The only code that writes consent.

Every write appends events to the dealer's ledger and updates the current view in one
transaction, with the dealer's ledger head locked: event numbers are gapless and follow commit
order, so a reader of the change feed never skips an event that commits late. Side effects
(webhooks, e-mails) hang on ``consent_recorded``, sent after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.dispatch import Signal
from django.utils import timezone

from samtykke.consent.config import LedgerConfig, ledger_config
from samtykke.consent.ledger import GENESIS, canonical_json, event_hasher, evidence_digest
from samtykke.consent.ledger import event_hash as compute_hash
from samtykke.consent.models import (
    ActorKind,
    Channel,
    ConsentEvent,
    ConsentState,
    LedgerHead,
    LegalBasis,
    NoticeVersion,
    PersonalLink,
    Purpose,
    Source,
    Status,
)
from samtykke.consent.notices import NoticeError, find_notice_version
from samtykke.customers.models import Contact, Customer
from samtykke.sql import Prepared
from samtykke.tenancy.models import ApiKey, Dealer

# Sent after commit with dealer_id, the list of event ids that were appended, and the ledger
# head's config_version the append saw (receivers may keep per-dealer answers under it, see
# consent/config.py).
consent_recorded = Signal()
# Sent after commit with dealer_id, customer_id and external_id of an erased customer.
customer_erased = Signal()

# A customer's own decisions need the notice they were shown; system states do not.
DECISIONS = {Status.GIVEN, Status.REFUSED, Status.WITHDRAWN, Status.PENDING}
CLOCK_SKEW = dt.timedelta(minutes=2)


class ConsentError(ValueError):
    """A write the ledger refuses. ``code`` is stable for API callers; the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who expressed or recorded the decision."""

    kind: str
    user: AbstractBaseUser | None = None
    api_key: ApiKey | None = None
    label: str = ""

    @classmethod
    def staff(cls, user: AbstractBaseUser) -> Actor:
        return cls(ActorKind.STAFF, user=user, label=str(getattr(user, "email", "") or user))

    @classmethod
    def api(cls, key: ApiKey, label: str = "") -> Actor:
        return cls(ActorKind.API_KEY, api_key=key, label=label or f"API key {key.prefix}")

    @classmethod
    def customer(cls) -> Actor:
        return cls(ActorKind.CUSTOMER, label="customer")

    @classmethod
    def system(cls, label: str = "samtykke") -> Actor:
        return cls(ActorKind.SYSTEM, label=label)


@dataclass(frozen=True)
class Decision:
    purpose: str  # the purpose's key, e.g. "marketing"
    channel: str  # the channel's key, e.g. "sms"
    status: str


@dataclass
class _Pending:
    customer: Customer
    purpose: Purpose
    channel: Channel
    status: str
    notice: NoticeVersion | None
    notice_assumed: bool
    evidence: dict[str, Any] = field(default_factory=dict)


def _check_customer(dealer: Dealer, customer: Customer) -> None:
    if customer.dealer_id != dealer.pk:
        raise ConsentError("customer_not_found", "The customer does not belong to this dealer.")
    if customer.is_erased:
        raise ConsentError(
            "customer_erased", "The customer was erased; no consent can be recorded."
        )


def _resolve_notice(
    dealer: Dealer,
    config: LedgerConfig,
    notice_version: NoticeVersion | str | None,
    language: str | None,
) -> tuple[NoticeVersion | None, bool]:
    if notice_version is None:
        current = config.notice(language or dealer.default_language, dealer.default_language)
        if current is None:
            raise NoticeError(f"Dealer {dealer.slug} has no published notice 'consent'.")
        return current, True
    if isinstance(notice_version, str):
        try:
            notice_version = find_notice_version(dealer, notice_version)
        except NoticeError as exc:
            raise ConsentError("unknown_notice_version", str(exc)) from exc
    if notice_version.dealer_id != dealer.pk:
        raise ConsentError("unknown_notice_version", "The notice version is not this dealer's.")
    if language and notice_version.language != language:
        raise ConsentError(
            "notice_language_mismatch",
            f"The notice version is in {notice_version.language!r}, not {language!r}.",
        )
    return notice_version, False


def record_consent(
    *,
    dealer: Dealer,
    customer: Customer,
    decisions: Sequence[Decision],
    source: str,
    actor: Actor,
    occurred_at: dt.datetime | None = None,
    notice_version: NoticeVersion | str | None = None,
    language: str | None = None,
    evidence: dict[str, Any] | None = None,
    only_if_current_in: Iterable[str | None] | None = None,
    head: LockedHead | None = None,
) -> list[ConsentEvent]:
    """Record one customer's decisions (one event per purpose and channel) in one transaction.

    ``notice_version`` left out for a decision records the current version, marked as assumed.
    ``only_if_current_in`` skips decisions whose current status is not in it (None: no state yet).
    Inside a caller's transaction it joins it; a refusal (ConsentError) leaves it usable.
    ``head`` is the dealer's head when the caller locked it already in its transaction
    (``head_lock_sql``), so that what it decided on was read under the same lock.
    """
    _check_customer(dealer, customer)
    if source not in Source.values:
        raise ConsentError("unknown_source", f"Unknown source {source!r}.")
    if not decisions:
        raise ConsentError("no_decisions", "Nothing to record.")
    for decision in decisions:
        if decision.status not in Status.values:
            raise ConsentError("unknown_status", f"Unknown status {decision.status!r}.")
    now = timezone.now()
    occurred_at = occurred_at or now
    if timezone.is_naive(occurred_at):
        raise ConsentError("naive_time", "occurred_at needs a time zone.")
    if occurred_at > now + CLOCK_SKEW:
        raise ConsentError("occurred_in_future", "occurred_at is in the future.")

    def record() -> list[ConsentEvent]:
        # The head is locked first and the dealer's purposes, channels and notices are checked
        # against the configuration committed now; nothing is written before every check passed.
        locked = head if head is not None else _lock_head(dealer.pk)
        config = ledger_config(dealer.pk, locked.config_version)
        notice: NoticeVersion | None = None
        assumed = False
        if any(d.status in DECISIONS for d in decisions) or notice_version is not None:
            notice, assumed = _resolve_notice(dealer, config, notice_version, language)
        pending: list[_Pending] = []
        seen: set[tuple[str, str]] = set()
        for decision in decisions:
            purpose = config.purposes.get(decision.purpose)
            if purpose is None or not purpose.active:
                raise ConsentError("unknown_purpose", f"Unknown purpose {decision.purpose!r}.")
            channel = config.channels[purpose.key].get(decision.channel)
            if channel is None:
                raise ConsentError(
                    "unknown_channel",
                    f"Channel {decision.channel!r} is not offered for purpose {purpose.key!r}.",
                )
            if (purpose.key, channel.key) in seen:
                raise ConsentError(
                    "duplicate_decision", f"Two decisions for {purpose.key}/{channel.key}."
                )
            seen.add((purpose.key, channel.key))
            pending.append(
                _Pending(
                    customer, purpose, channel, decision.status, notice, assumed, evidence or {}
                )
            )
        with transaction.atomic(savepoint=False):
            return append_events(
                dealer=dealer,
                items=pending,
                source=source,
                actor=actor,
                occurred_at=occurred_at,
                only_if_current_in=only_if_current_in,
                head=locked,
            )

    if connections[ConsentEvent.all_dealers.db].in_atomic_block:
        return record()
    if head is not None:
        raise RuntimeError("A head locked by the caller needs the caller's transaction.")
    with transaction.atomic():
        return record()


@dataclass(frozen=True)
class LockedHead:
    """A dealer's ledger head as read by the statement that locked it (``head_lock_sql``)."""

    pk: int
    sequence: int
    hash: str
    config_version: int


def head_lock_sql(dealer: str = "%s") -> str:
    """The statement that locks a dealer's ledger head and reads it as ``LockedHead(*row)``.

    ``dealer`` is the SQL for the dealer's id (a parameter, or a subquery for callers that lock
    the head in one round trip with their own reads). On SQLite the transaction already holds
    the write lock, so there is no FOR UPDATE.
    """
    connection = connections[ConsentEvent.all_dealers.db]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT id, sequence, hash, config_version FROM {LedgerHead._meta.db_table} "  # noqa: S608 - table name from model metadata
        f"WHERE dealer_id = {dealer}{lock}"
    )


_HEAD_LOCK = Prepared("ledger_head_lock", head_lock_sql())


def _lock_head(dealer_id: int) -> LockedHead:
    """Lock the dealer's ledger head."""
    connection = connections[ConsentEvent.all_dealers.db]
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_LOCK.on(connection), [dealer_id])
        row = cursor.fetchone()
    if row is None:
        raise LedgerHead.DoesNotExist(f"Dealer {dealer_id} has no ledger head.")
    return LockedHead(*row)


def append_events(
    *,
    dealer: Dealer,
    items: Sequence[_Pending],
    source: str,
    actor: Actor,
    occurred_at: dt.datetime,
    only_if_current_in: Iterable[str | None] | None = None,
    head: LockedHead | None = None,
) -> list[ConsentEvent]:
    """Append validated items to the ledger and the current view. Call inside a transaction.

    The hot path of every bulk job (GDPR reset, imports, campaigns): the rows go to the database
    as plain multi-row INSERTs and one upsert of the current view, with the head locked once.
    ``head`` is the dealer's head when the caller has locked it already.
    """
    if head is None:
        head = _lock_head(dealer.pk)
    if only_if_current_in is not None:
        allowed = set(only_if_current_in)
        current = {
            (c, p, ch): status
            for c, p, ch, status in ConsentState.objects.for_dealer(dealer)
            .filter(customer_id__in={i.customer.pk for i in items})
            .values_list("customer_id", "purpose_id", "channel_id", "status")
        }
        items = [
            i for i in items if current.get((i.customer.pk, i.purpose.pk, i.channel.pk)) in allowed
        ]
    if not items:
        return []
    recorded_at = timezone.now()
    first_sequence = head.sequence + 1
    events: list[ConsentEvent] = []
    prev = head.hash or GENESIS
    for offset, item in enumerate(items):
        event = ConsentEvent(
            dealer_id=dealer.pk,
            sequence=first_sequence + offset,
            customer_id=item.customer.pk,
            purpose_id=item.purpose.pk,
            channel_id=item.channel.pk,
            status=item.status,
            source=source,
            notice_version_id=item.notice.pk if item.notice else None,
            notice_assumed=item.notice_assumed,
            legal_basis=LegalBasis.CONSENT,
            actor_kind=actor.kind,
            actor_user_id=actor.user.pk if actor.user else None,
            actor_api_key_id=actor.api_key.pk if actor.api_key else None,
            actor_label=actor.label[:200],
            evidence=item.evidence,
            evidence_sha256=evidence_digest(item.evidence),
            occurred_at=occurred_at,
            recorded_at=recorded_at,
            prev_hash=prev,
        )
        event.hash = prev = hash_of(event, item.notice.content_sha256 if item.notice else "")
        events.append(event)
    connection = connections[ConsentEvent.all_dealers.db]
    if len(events) == 1 and connection.vendor == "postgresql":
        _append_one_postgres(connection, events[0], head)
    else:
        _insert_events(connection, events)
        _upsert_states(connection, events)
        with connection.cursor() as cursor:
            cursor.execute(_HEAD_UPDATE, [events[-1].sequence, prev, head.pk])
    ids = [e.pk for e in events]
    _announce_after_commit(dealer.pk, ids, head)
    return events


def _announce_after_commit(dealer_id: int, event_ids: list[int], head: LockedHead) -> None:
    """``consent_recorded`` once the transaction commits, with the version the append saw."""
    transaction.on_commit(
        lambda: consent_recorded.send(
            sender=ConsentEvent,
            dealer_id=dealer_id,
            event_ids=event_ids,
            config_version=head.config_version,
        )
    )


# The statements are plain SQL built once from the model metadata: the append path is the hot
# path of every job, and ORM compilation would cost more than the database's own work.
# PostgreSQL and SQLite quote identifiers alike.
def _quote(name: str) -> str:
    return f'"{name}"'


def _marks(n: int) -> str:
    return "(" + ", ".join(["%s"] * n) + ")"


_EVENT_FIELDS = [f for f in ConsentEvent._meta.concrete_fields if not f.primary_key]
_EVENT_TABLE = _quote(ConsentEvent._meta.db_table)
_EVENT_INSERT = (
    f"INSERT INTO {_EVENT_TABLE} ({', '.join(_quote(str(f.column)) for f in _EVENT_FIELDS)}) "  # noqa: S608 - names from model metadata
    f"VALUES {_marks(len(_EVENT_FIELDS))}"
)
_STATE_TABLE = _quote(ConsentState._meta.db_table)
_STATE_COLUMNS = [
    "dealer_id",
    "customer_id",
    "purpose_id",
    "channel_id",
    "status",
    "source",
    "since",
    "event_id",
]
# The newest decision wins (as ``supersedes`` and verify's replay), decided in SQL: no row is
# read first.
_STATE_CONFLICT = (
    "ON CONFLICT (customer_id, purpose_id, channel_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ("status", "source", "since", "event_id"))
    + f" WHERE excluded.since >= {_STATE_TABLE}.since"
)
_STATE_UPSERT = (
    f"INSERT INTO {_STATE_TABLE} ({', '.join(_STATE_COLUMNS)}) "  # noqa: S608 - names from model metadata
    f"VALUES {_marks(len(_STATE_COLUMNS))} {_STATE_CONFLICT}"
)
_HEAD_UPDATE = (
    f"UPDATE {_quote(LedgerHead._meta.db_table)} SET sequence = %s, hash = %s WHERE id = %s"  # noqa: S608 - names from model metadata
)
# One event on PostgreSQL: the event, the current view and the head in one statement.
_ONE_EVENT_POSTGRES = Prepared(
    "ledger_append_one",
    f"WITH event AS ({_EVENT_INSERT} RETURNING id, {', '.join(_STATE_COLUMNS[:6])}, occurred_at), "  # noqa: S608 - names from model metadata
    f"state AS (INSERT INTO {_STATE_TABLE} ({', '.join(_STATE_COLUMNS)}) "
    f"SELECT {', '.join(_STATE_COLUMNS[:6])}, occurred_at, id FROM event {_STATE_CONFLICT}), "
    f"head AS ({_HEAD_UPDATE}) "
    "SELECT id FROM event",
)


def _event_row(connection: BaseDatabaseWrapper, event: ConsentEvent) -> list[Any]:
    return [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _EVENT_FIELDS]


def _append_one_postgres(
    connection: BaseDatabaseWrapper, event: ConsentEvent, head: LockedHead
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _ONE_EVENT_POSTGRES.on(connection),
            [*_event_row(connection, event), event.sequence, event.hash, head.pk],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False


def _insert_events(connection: BaseDatabaseWrapper, events: list[ConsentEvent]) -> None:
    """Plain INSERTs (no ORM compilation per row); the ids come back with them or are read back."""
    if len(events) == 1:
        (event,) = events
        with connection.cursor() as cursor:
            cursor.execute(_EVENT_INSERT + " RETURNING id", _event_row(connection, event))
            event.pk = cursor.fetchone()[0]
        event._state.adding = False
        return
    with connection.cursor() as cursor:
        # One statement, many parameter rows: psycopg pipelines it and parses the query once.
        cursor.executemany(_EVENT_INSERT, [_event_row(connection, e) for e in events])
    ids = dict(
        ConsentEvent.objects.for_dealer(events[0].dealer_id)
        .filter(sequence__gte=events[0].sequence, sequence__lte=events[-1].sequence)
        .values_list("sequence", "pk")
    )
    for event in events:
        event.pk = ids[event.sequence]
        event._state.adding = False


def hash_of(event: ConsentEvent, notice_sha256: str) -> str:
    return compute_hash(
        dealer_id=event.dealer_id,
        sequence=event.sequence,
        customer_id=event.customer_id,
        purpose_id=event.purpose_id,
        channel_id=event.channel_id,
        status=event.status,
        source=event.source,
        notice_version_id=event.notice_version_id,
        notice_sha256=notice_sha256,
        notice_assumed=event.notice_assumed,
        legal_basis=event.legal_basis,
        actor_kind=event.actor_kind,
        actor_user_id=event.actor_user_id,
        actor_api_key_id=event.actor_api_key_id,
        actor_label=event.actor_label,
        evidence_sha256=event.evidence_sha256,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        prev_hash=event.prev_hash,
    )


def supersedes(event: ConsentEvent, state: ConsentState | None) -> bool:
    """The newest decision wins: a paper form signed last week does not undo today's withdrawal."""
    return state is None or event.occurred_at >= state.since


def _upsert_states(connection: BaseDatabaseWrapper, events: list[ConsentEvent]) -> None:
    """One upsert of the current view: per key the newest event, if newer than what is there."""
    newest: dict[tuple[int, int, int], ConsentEvent] = {}
    for event in events:
        key = (event.customer_id, event.purpose_id, event.channel_id)
        before = newest.get(key)
        if before is None or event.occurred_at >= before.occurred_at:
            newest[key] = event
    since_field = ConsentState._meta.get_field("since")
    with connection.cursor() as cursor:
        cursor.executemany(
            _STATE_UPSERT,
            [
                [
                    e.dealer_id,
                    e.customer_id,
                    e.purpose_id,
                    e.channel_id,
                    e.status,
                    e.source,
                    since_field.get_db_prep_save(e.occurred_at, connection),
                    e.pk,
                ]
                for e in newest.values()
            ],
        )


# --- The bulk path of system events (GDPR reset): status without a notice, for unset keys ---

# (customer id, purpose id, channel id, evidence)
SystemItem = tuple[int, int, int, dict[str, Any]]

_SYSTEM_COLUMNS = (
    "dealer_id",
    "sequence",
    "customer_id",
    "purpose_id",
    "channel_id",
    "status",
    "source",
    "notice_version_id",
    "notice_assumed",
    "legal_basis",
    "actor_kind",
    "actor_user_id",
    "actor_api_key_id",
    "actor_label",
    "evidence",
    "evidence_sha256",
    "occurred_at",
    "recorded_at",
    "prev_hash",
    "hash",
)


def _copy_text(value: str) -> str:
    """A text value in COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _append_unset_system_events(
    *,
    dealer: Dealer,
    items: Sequence[SystemItem],
    status: str,
    source: str,
    actor: Actor,
    occurred_at: dt.datetime,
) -> list[int]:
    """Append a system event (``status``, no notice) for every item whose key has no state yet,
    and give those keys their state. Call inside a transaction; returns the new events' ids.

    The bulk twin of ``append_events`` for the GDPR reset: the same head lock, the same hash
    chain (``hash_of`` gives the same hashes; ``ledger verify`` checks them) and the same rule
    for the current view, without building model instances. On PostgreSQL the events are
    streamed with COPY; elsewhere one executemany. The current view is filled from the new
    events with one ``INSERT … SELECT``. Keys are checked with the head locked, so a decision
    recorded meanwhile is never undone.
    """
    if status in DECISIONS:
        raise ConsentError("needs_notice", "A customer's decision is not a system event.")
    connection = connections[ConsentEvent.all_dealers.db]
    postgres = connection.vendor == "postgresql"
    head = _lock_head(dealer.pk)
    with connection.cursor() as cursor:
        # The keys that have a state already. By customer only: the unique index on (customer,
        # purpose, channel) answers it, whatever the planner thinks of a table that grew fast.
        have: set[tuple[int, int, int]] = set()
        customer_ids = sorted({item[0] for item in items})
        for start in range(0, len(customer_ids), 5000):
            chunk = customer_ids[start : start + 5000]
            params: list[Any]
            if postgres:
                where, params = "customer_id = ANY(%s)", [chunk]
            else:
                where, params = f"customer_id IN ({', '.join(['%s'] * len(chunk))})", chunk
            cursor.execute(
                f"SELECT customer_id, purpose_id, channel_id FROM {_STATE_TABLE} WHERE {where}",  # noqa: S608
                params,
            )
            have.update(cursor.fetchall())
        todo: list[SystemItem] = []
        for item in items:
            key = (item[0], item[1], item[2])
            if key not in have:
                have.add(key)  # one event per key
                todo.append(item)
        if not todo:
            return []
        recorded_at = timezone.now()
        label = actor.label[:200]
        user_id = actor.user.pk if actor.user else None
        api_key_id = actor.api_key.pk if actor.api_key else None
        hash_one = event_hasher(
            dealer_id=dealer.pk,
            status=status,
            source=source,
            notice_version_id=None,
            notice_sha256="",
            notice_assumed=False,
            legal_basis=LegalBasis.CONSENT.value,
            actor_kind=actor.kind,
            actor_user_id=user_id,
            actor_api_key_id=api_key_id,
            actor_label=label,
            occurred_at=occurred_at,
            recorded_at=recorded_at,
        )
        evidence_field = ConsentEvent._meta.get_field("evidence")
        # by object: the items share their evidence dicts (and keep them alive meanwhile)
        evidence_cache: dict[int, tuple[str, Any]] = {}
        first_sequence = head.sequence + 1
        prev = head.hash or GENESIS
        columns = ", ".join(_quote(c) for c in _SYSTEM_COLUMNS)
        if postgres:
            constant = "\t".join(
                [
                    _copy_text(status),
                    _copy_text(source),
                    "\\N",
                    "f",
                    _copy_text(LegalBasis.CONSENT.value),
                    _copy_text(actor.kind),
                    "\\N" if user_id is None else str(int(user_id)),
                    "\\N" if api_key_id is None else str(int(api_key_id)),
                    _copy_text(label),
                ]
            )
            moments = f"{occurred_at.isoformat()}\t{recorded_at.isoformat()}"
            with cursor.cursor.copy(f"COPY {_EVENT_TABLE} ({columns}) FROM STDIN") as copy:
                lines: list[str] = []
                for offset, (customer_id, purpose_id, channel_id, evidence) in enumerate(todo):
                    sequence = first_sequence + offset
                    cached = evidence_cache.get(id(evidence))
                    if cached is None:
                        canonical = canonical_json(evidence)
                        digest = hashlib.sha256(canonical.encode()).hexdigest()
                        cached = evidence_cache[id(evidence)] = (digest, _copy_text(canonical))
                    digest, evidence_text = cached
                    hashed = hash_one(sequence, customer_id, purpose_id, channel_id, digest, prev)
                    lines.append(
                        f"{dealer.pk}\t{sequence}\t{customer_id}\t{purpose_id}\t{channel_id}\t"
                        f"{constant}\t{evidence_text}\t{digest}\t{moments}\t{prev}\t{hashed}\n"
                    )
                    prev = hashed
                    if len(lines) >= 1000:
                        copy.write("".join(lines))
                        lines.clear()
                if lines:
                    copy.write("".join(lines))
        else:
            adapt = connection.ops.adapt_datetimefield_value
            occurred, recorded = adapt(occurred_at), adapt(recorded_at)
            rows = []
            for offset, (customer_id, purpose_id, channel_id, evidence) in enumerate(todo):
                sequence = first_sequence + offset
                cached = evidence_cache.get(id(evidence))
                if cached is None:
                    digest = evidence_digest(evidence)
                    prepared = evidence_field.get_db_prep_save(evidence, connection)
                    cached = evidence_cache[id(evidence)] = (digest, prepared)
                digest, prepared = cached
                hashed = hash_one(sequence, customer_id, purpose_id, channel_id, digest, prev)
                rows.append(
                    (
                        dealer.pk,
                        sequence,
                        customer_id,
                        purpose_id,
                        channel_id,
                        status,
                        source,
                        None,
                        False,
                        LegalBasis.CONSENT.value,
                        actor.kind,
                        user_id,
                        api_key_id,
                        label,
                        prepared,
                        digest,
                        occurred,
                        recorded,
                        prev,
                        hashed,
                    )
                )
                prev = hashed
            cursor.executemany(
                f"INSERT INTO {_EVENT_TABLE} ({columns}) VALUES {_marks(len(_SYSTEM_COLUMNS))}",  # noqa: S608
                rows,
            )
        last_sequence = first_sequence + len(todo) - 1
        # The current view from the new events, by the rule of _upsert_states (one event per
        # key here, and the keys had no state when the head was locked).
        cursor.execute(
            f"INSERT INTO {_STATE_TABLE} ({', '.join(_STATE_COLUMNS)}) "  # noqa: S608 - names from model metadata
            "SELECT dealer_id, customer_id, purpose_id, channel_id, status, source, occurred_at, id "
            f"FROM {_EVENT_TABLE} WHERE dealer_id = %s AND sequence >= %s AND sequence <= %s "
            f"{_STATE_CONFLICT}",
            [dealer.pk, first_sequence, last_sequence],
        )
        cursor.execute(
            f"SELECT id FROM {_EVENT_TABLE} "  # noqa: S608
            "WHERE dealer_id = %s AND sequence >= %s AND sequence <= %s ORDER BY sequence",
            [dealer.pk, first_sequence, last_sequence],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(_HEAD_UPDATE, [last_sequence, prev, head.pk])
    _announce_after_commit(dealer.pk, ids, head)
    return ids


GDPR_RESET_BATCH = 1000


def _reset_pairs(dealer: Dealer) -> list[tuple[int, int]]:
    """(purpose id, channel id) of every active purpose's every channel."""
    return [
        (purpose.pk, channel.pk)
        for purpose in Purpose.objects.for_dealer(dealer)
        .filter(active=True)
        .prefetch_related("channels")
        for channel in purpose.channels.all()
    ]


def _reset_items(
    pairs: Sequence[tuple[int, int]], customers: Iterable[tuple[int, dict[str, Any]]]
) -> list[SystemItem]:
    """A legacy "yes" from the DMS goes into the event's evidence, never into the status."""
    items: list[SystemItem] = []
    none: dict[str, Any] = {}
    shared: dict[str, dict[str, Any]] = {}  # one evidence object per distinct legacy value
    for customer_id, legacy in customers:
        evidence = none
        if legacy:
            canonical = canonical_json(legacy)
            evidence = shared.get(canonical) or shared.setdefault(
                canonical, {"legacy_dms_value": legacy}
            )
        items.extend((customer_id, p, ch, evidence) for p, ch in pairs)
    return items


def gdpr_reset(
    *, dealer: Dealer, actor: Actor | None = None, batch_size: int = GDPR_RESET_BATCH
) -> int:
    """Set every customer's every purpose and channel to ``unknown`` (source ``gdpr_reset``).

    Only (customer, purpose, channel) that have no state yet are touched, so running it again
    adds nothing and never undoes a decision made since. A legacy "yes" from the DMS is kept in
    the event's evidence, never as consent. Returns the number of events appended.
    """
    actor = actor or Actor.system("gdpr-reset")
    pairs = _reset_pairs(dealer)
    if not pairs:
        return 0
    appended = 0
    last_pk = 0
    while True:
        batch = list(
            Customer.objects.for_dealer(dealer)
            .filter(erased_at__isnull=True, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "legacy_consent")[:batch_size]
        )
        if not batch:
            return appended
        last_pk = batch[-1][0]
        with transaction.atomic():
            appended += len(
                _append_unset_system_events(
                    dealer=dealer,
                    items=_reset_items(pairs, batch),
                    status=Status.UNKNOWN,
                    source=Source.GDPR_RESET,
                    actor=actor,
                    occurred_at=timezone.now(),
                )
            )


def reset_new_customers(*, dealer: Dealer, customers: Sequence[Customer]) -> int:
    """The GDPR reset for customers that just arrived (import, API): ``unknown`` where unset."""
    if not customers:
        return 0
    pairs = _reset_pairs(dealer)
    if not pairs:
        return 0
    with transaction.atomic():
        return len(
            _append_unset_system_events(
                dealer=dealer,
                items=_reset_items(pairs, ((c.pk, c.legacy_consent) for c in customers)),
                status=Status.UNKNOWN,
                source=Source.GDPR_RESET,
                actor=Actor.system("gdpr-reset"),
                occurred_at=timezone.now(),
            )
        )


@transaction.atomic
def erase_customer(*, dealer: Dealer, customer: Customer, actor: Actor) -> None:
    """GDPR art. 17: remove the person's data; the ledger keeps its events without it.

    The chain covers each event's evidence digest, not the evidence, so blanking the evidence
    (IP, user agent, notes, scans) keeps the chain verifiable.
    """
    _check_customer(dealer, customer)
    now = timezone.now()
    customer.customer_number = ""
    customer.name = ""
    customer.birth_date = None
    customer.mobile = customer.mobile_problem = ""
    customer.mobile_is_valid = customer.mobile_is_mobile = False
    customer.email = customer.email_problem = ""
    customer.email_is_valid = False
    customer.street = customer.postal_code = customer.city = ""
    customer.legacy_consent = {}
    customer.erased_at = now
    customer.updated_at = now
    customer.save()
    ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).update(
        evidence={}, evidence_erased_at=now
    )
    Contact.objects.for_dealer(dealer).filter(customer=customer).delete()
    PersonalLink.objects.for_dealer(dealer).filter(customer=customer).update(revoked_at=now)
    external_id = customer.external_id
    transaction.on_commit(
        lambda: customer_erased.send(
            sender=Customer,
            dealer_id=dealer.pk,
            customer_id=customer.pk,
            external_id=external_id,
            actor_label=actor.label,
        )
    )
