"""The import engine: check the whole file first, then write customers and orders in bulk.

Rules:

- Every row is checked before anything is written. With a bad row, a real run writes nothing
  and is ``refused`` — unless the user chose to skip bad rows; the summary then lists the
  skipped lines. A dry run reports every bad row and what the real run would do.
- Customers are upserted on (dealer, external id); without an external id column the customer
  number is the external id. Only mapped columns change an existing customer; erased customers
  are never brought back. Orders are upserted on (customer, kind, order number).
- Invalid mobile numbers and e-mail addresses are kept with the reason (``customers.services``)
  and counted in the summary; they do not stop the import.
- Legacy consent columns (``SMS: Ja``) are kept on ``Customer.legacy_consent`` and every new
  customer goes through the GDPR reset (``consent.actions.reset_new_customers``): ``unknown``,
  with the legacy value as evidence — never recorded as consent.
- Writing happens in batches, each one transaction: a batch's customers, their orders and their
  GDPR reset commit together. If the database fails half-way, the job says how far it got, and
  running the same file again completes it (every write is an upsert).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.base import ModelState

from samtykke.consent.actions import reset_new_customers
from samtykke.customers.models import Contact, Customer
from samtykke.customers.normalize import EmailResult, PhoneResult
from samtykke.customers.services import CustomerData, apply_customer_data
from samtykke.imports import bulk
from samtykke.imports.mapping import LEGACY_FIELDS, Mapping
from samtykke.imports.normalizing import normalize_contacts
from samtykke.imports.parsing import ParsedFile
from samtykke.imports.records import CustomerRecord, OrderRecord, RowProblem, read_records
from samtykke.tenancy.models import Dealer

BATCH_SIZE = 2000
PARALLEL_MIN = 20_000  # customers; below this, normalizing inline is cheaper than a process
Progress = Callable[[int, int], None]

# mapping field → Customer fields it updates on an existing customer
_UPDATES = {
    "customer_number": ("customer_number",),
    "name": ("name",),
    "first_name": ("name",),
    "last_name": ("name",),
    "mobile": ("mobile", "mobile_is_valid", "mobile_is_mobile", "mobile_problem"),
    "email": ("email", "email_is_valid", "email_problem"),
    "street": ("street",),
    "postal_code": ("postal_code",),
    "city": ("city",),
    "birth_date": ("birth_date",),
    "legacy_sms": ("legacy_consent",),
    "legacy_email": ("legacy_consent",),
}


@dataclass
class ImportSummary:
    """What the run did (or, for a dry run, would do)."""

    dry_run: bool
    customers_in_file: int = 0
    created: int = 0
    updated: int = 0
    orders: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    skipped_order_lines: list[int] = field(default_factory=list)
    invalid_mobiles: int = 0
    invalid_emails: int = 0
    legacy_consent_kept: int = 0
    consent_reset_events: int = 0
    order_kinds_guessed: int = 0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def lines(self) -> list[str]:
        """The summary in plain words (CLI and job page)."""
        verb = "would be" if self.dry_run else "were"
        found = [
            f"{self.customers_in_file} customers in the file: {self.created} {verb} created, "
            f"{self.updated} {verb} updated.",
            f"{self.orders} orders: {self.orders_created} new, {self.orders_updated} already known.",
        ]
        if self.invalid_mobiles or self.invalid_emails:
            found.append(
                f"Kept with the reason, not usable for messages: {self.invalid_mobiles} mobile "
                f"numbers, {self.invalid_emails} e-mail addresses."
            )
        if self.legacy_consent_kept:
            found.append(
                f"{self.legacy_consent_kept} customers had old consent columns: kept as evidence "
                "only; their consent is 'not asked' after the GDPR reset."
            )
        if not self.dry_run:
            found.append(f"GDPR reset: {self.consent_reset_events} consents set to 'not asked'.")
        if self.order_kinds_guessed:
            found.append(f"{self.order_kinds_guessed} orders had an unknown type: kept as 'other'.")
        if self.skipped_lines or self.skipped_order_lines:
            skipped = ", ".join(map(str, self.skipped_lines)) or "none"
            found.append(f"Skipped (bad) lines: {skipped}.")
            if self.skipped_order_lines:
                orders = ", ".join(map(str, self.skipped_order_lines))
                found.append(f"Skipped lines in the orders file: {orders}.")
        return found


@dataclass
class ImportOutcome:
    """``status`` is ``done`` or ``refused`` (bad rows in a real run without skipping them)."""

    status: str
    problems: list[RowProblem]
    summary: ImportSummary

    @property
    def ok(self) -> bool:
        return self.status == "done"


@dataclass
class _Plan:
    records: dict[str, CustomerRecord]
    orphan_orders: dict[int, list[OrderRecord]]  # orders of customers only in the register
    existing: dict[str, int]  # external id → pk, for the file's customers already known


def _attach_orders(
    dealer: Dealer,
    records: dict[str, CustomerRecord],
    orders_file: ParsedFile,
    orders_mapping: Mapping,
    problems: list[RowProblem],
) -> dict[int, list[OrderRecord]]:
    """Put the orders file's orders on their customers (in the file, else in the register)."""
    order_problems: list[RowProblem] = []
    by_key = read_records(orders_file, orders_mapping, order_problems)
    problems.extend(dataclasses.replace(p, file="orders") for p in order_problems)
    key_field = orders_mapping.key_field
    index: dict[str, CustomerRecord] = {}
    for record in records.values():
        value = record.key if key_field == "external_id" else record.values.get(key_field, "")
        if key_field == "customer_number" and not value:
            value = record.key
        index.setdefault(value, record)
    orphans: dict[int, list[OrderRecord]] = {}
    missing = [key for key in by_key if key not in index]
    known: dict[str, int] = {}
    for chunk in _chunks(missing, 1000):
        lookup = {f"{key_field}__in": chunk}
        for value, pk in (
            Customer.objects.for_dealer(dealer)
            .filter(erased_at__isnull=True, **lookup)
            .values_list(key_field, "pk")
        ):
            known.setdefault(value, pk)
    header = orders_mapping.header(key_field) or key_field
    for key, order_record in by_key.items():
        target = index.get(key)
        if target is not None:
            target.orders.extend(order_record.orders)
        elif key in known:
            orphans.setdefault(known[key], []).extend(order_record.orders)
        else:
            for order in order_record.orders:
                problems.append(
                    RowProblem(
                        order.line,
                        header,
                        key,
                        "no such customer in the file or the register",
                        file="orders",
                    )
                )
    return orphans


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def plan_import(
    *,
    dealer: Dealer,
    parsed: ParsedFile,
    mapping: Mapping,
    orders_file: ParsedFile | None = None,
    orders_mapping: Mapping | None = None,
    problems: list[RowProblem],
    seen: Callable[[CustomerRecord], None] | None = None,
) -> _Plan:
    """Read and check everything (file and register) without writing. ``seen`` gets each
    customer of the file when it is first read."""
    records = read_records(parsed, mapping, problems, seen)
    orphans: dict[int, list[OrderRecord]] = {}
    if orders_file is not None and orders_mapping is not None:
        orphans = _attach_orders(dealer, records, orders_file, orders_mapping, problems)
    existing: dict[str, int] = {}
    keys = list(records)
    header = mapping.header(mapping.key_field) or mapping.key_field
    for chunk in _chunks(keys, 1000):
        for external_id, pk, erased_at in (
            Customer.objects.for_dealer(dealer)
            .filter(external_id__in=chunk)
            .values_list("external_id", "pk", "erased_at")
        ):
            if erased_at is not None:
                record = records.pop(external_id)
                problems.append(
                    RowProblem(
                        record.line,
                        header,
                        external_id,
                        "the customer was erased (GDPR); an erased customer is not imported again",
                    )
                )
            else:
                existing[external_id] = pk
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return _Plan(records, orphans, existing)


class _Normalizer:
    """Normalizes phones and e-mails in one worker process while the main process reads and
    checks the file and then writes (phonenumbers and email-validator cost ~0.1 ms per customer).

    Each customer is sent when the reader first sees it, in chunks; when the whole file is read,
    the worker is mostly done. A customer whose number or address a later row filled in is
    normalized again inline. Small files and one-CPU machines normalize inline.
    """

    CHUNK = 2000

    def __init__(self, parsed: ParsedFile) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[tuple[PhoneResult, EmailResult]]]] = []
        self.sent: dict[str, tuple[int, int, tuple[str, str]]] = {}  # key → chunk, index, pair
        self.pending: list[tuple[str, str]] = []
        self.done: dict[int, list[tuple[PhoneResult, EmailResult]]] = {}
        # rows (a customer per order at most): an upper bound of the customers, found cheaply
        if parsed.text.count("\n") < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
            return
        self.executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))

    def see(self, record: CustomerRecord) -> None:
        if self.executor is None:
            return
        pair = (record.values.get("mobile", "") or "", record.values.get("email", "") or "")
        self.sent[record.key] = (len(self.futures), len(self.pending), pair)
        self.pending.append(pair)
        if len(self.pending) >= self.CHUNK:
            self._send()

    def _send(self) -> None:
        if self.executor is not None and self.pending:
            self.futures.append(self.executor.submit(normalize_contacts, self.pending))
            self.pending = []

    def results(
        self, batch: Sequence[CustomerRecord]
    ) -> list[tuple[PhoneResult, EmailResult] | None]:
        """Per record its (phone, e-mail) results, or None: normalize inline."""
        if self.executor is None:
            return [None] * len(batch)
        self._send()
        found: list[tuple[PhoneResult, EmailResult] | None] = []
        for record in batch:
            sent = self.sent.get(record.key)
            pair = (record.values.get("mobile", "") or "", record.values.get("email", "") or "")
            if sent is None or sent[2] != pair:
                found.append(None)
                continue
            chunk, index, _ = sent
            if chunk not in self.done:
                self.done[chunk] = self.futures[chunk].result()
            found.append(self.done[chunk][index])
        return found

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)


def _customer(
    dealer: Dealer,
    record: CustomerRecord,
    legacy_mapped: bool,
    normalized: tuple[PhoneResult, EmailResult] | None = None,
    template: Customer | None = None,
) -> Customer:
    values = record.values
    if template is None:
        customer = Customer(dealer_id=dealer.pk)
    else:
        # A copy of a fresh instance's field values: Model.__init__ per customer costs more
        # than all the rest of this function.
        customer = Customer.__new__(Customer)
        customer.__dict__.update(template.__dict__)
        customer._state = ModelState()
        customer.legacy_consent = {}
    phone, email = normalized or (None, None)
    apply_customer_data(
        customer,
        CustomerData(
            external_id=record.key,
            customer_number=values.get("customer_number", "") or "",
            name=values.get("name", "") or "",
            mobile=values.get("mobile", "") or "",
            email=values.get("email", "") or "",
            birth_date=values.get("birth_date"),
            street=values.get("street", "") or "",
            postal_code=values.get("postal_code", "") or "",
            city=values.get("city", "") or "",
            legacy_consent=dict(record.legacy) if legacy_mapped else None,
        ),
        phone=phone,
        email=email,
    )
    return customer


def run_import(
    *,
    dealer: Dealer,
    parsed: ParsedFile,
    mapping: Mapping,
    orders_file: ParsedFile | None = None,
    orders_mapping: Mapping | None = None,
    dry_run: bool = True,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportOutcome:
    """Check the file(s), then (unless ``dry_run``) write them. See the module docstring."""
    with _few_gc_passes():
        return _run_import(
            dealer=dealer,
            parsed=parsed,
            mapping=mapping,
            orders_file=orders_file,
            orders_mapping=orders_mapping,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
            progress=progress,
            batch_size=batch_size,
        )


@contextlib.contextmanager
def _few_gc_passes() -> Iterator[None]:
    """An import holds millions of small objects (rows, records, customers), none in a cycle:
    with the default thresholds the cyclic collector walks them all again and again, which took
    half the time of reading a 200,000-customer file. Collect rarely meanwhile."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 200_000), max(before[1], 20), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run_import(
    *,
    dealer: Dealer,
    parsed: ParsedFile,
    mapping: Mapping,
    orders_file: ParsedFile | None,
    orders_mapping: Mapping | None,
    dry_run: bool,
    skip_bad_rows: bool,
    progress: Progress | None,
    batch_size: int,
) -> ImportOutcome:
    mapping.check()
    problems: list[RowProblem] = []
    normalizer = _Normalizer(parsed)
    try:
        plan = plan_import(
            dealer=dealer,
            parsed=parsed,
            mapping=mapping,
            orders_file=orders_file,
            orders_mapping=orders_mapping,
            problems=problems,
            seen=normalizer.see,
        )
    except BaseException:
        normalizer.close()
        raise
    summary = ImportSummary(dry_run=dry_run, customers_in_file=len(plan.records))
    summary.skipped_lines = sorted({p.line for p in problems if not p.file})
    summary.skipped_order_lines = sorted({p.line for p in problems if p.file})
    if problems and not dry_run and not skip_bad_rows:
        normalizer.close()
        return ImportOutcome("refused", problems, summary)
    legacy_mapped = any(mapping.header(name) for name in LEGACY_FIELDS)
    update_fields = sorted(
        {"updated_at"}
        | {f for name in mapping.columns for f in _UPDATES.get(name, ())}
        | ({"customer_number"} if mapping.key_field == "customer_number" else set())
    )
    records = list(plan.records.values())
    total = len(records) + sum(len(orders) for orders in plan.orphan_orders.values())
    done = 0
    batches = _chunks(records, batch_size)
    writers = (
        _Writers(dealer, plan.existing, update_fields)
        if not dry_run
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and len(records) >= PARALLEL_MIN
        and len(batches) > 1
        else None
    )
    try:
        for batch in batches:
            normalized = normalizer.results(batch)
            template = Customer(dealer_id=dealer.pk)
            customers = [
                _customer(dealer, record, legacy_mapped, pair, template)
                for record, pair in zip(batch, normalized, strict=True)
            ]
            _count(summary, batch, customers, plan.existing)
            if writers is not None:
                writers.put(batch, customers)
                done = writers.written
            elif not dry_run:
                _write_batch(dealer, batch, customers, plan.existing, update_fields, summary)
                done += len(batch)
            else:
                _count_orders(dealer, batch, plan.existing, summary)
                done += len(batch)
            if progress is not None:
                progress(done, total)
    finally:
        normalizer.close()
        if writers is not None:
            writers.finish(summary)
    if writers is not None:
        done = writers.written
        if progress is not None:
            progress(done, total)
    for _customer_pk, orders in plan.orphan_orders.items():
        summary.orders += len(orders)
    if plan.orphan_orders:
        if dry_run:
            summary.orders_created += sum(len(o) for o in plan.orphan_orders.values())
        else:
            with transaction.atomic():
                created = _upsert_orders(
                    dealer,
                    [(pk, order) for pk, orders in plan.orphan_orders.items() for order in orders],
                    set(plan.orphan_orders),
                )
                summary.orders_created += created
                summary.orders_updated += sum(len(o) for o in plan.orphan_orders.values()) - created
                _refresh_last_contact(list(plan.orphan_orders))
        done = total
        if progress is not None:
            progress(done, total)
    return ImportOutcome("done", problems, summary)


class _Writers:
    """Two threads, each with its own database connection, write alternate batches (PostgreSQL,
    large imports, outside a transaction): while one commits a batch — the deferred foreign-key
    checks of ~25 rows per customer are a third of the writing — the other writes the next one's
    customers and orders. The ledger stays in order: a batch's GDPR reset waits for the head
    lock, which the other batch holds until its commit. An error stops the import and is raised
    once both threads are done, as with one writer."""

    THREADS = 2

    def __init__(self, dealer: Dealer, existing: dict[str, int], update_fields: list[str]) -> None:
        self.dealer = dealer
        self.existing = existing
        self.update_fields = update_fields
        self.jobs: queue.Queue[tuple[Sequence[CustomerRecord], list[Customer]] | None] = (
            queue.Queue(maxsize=1)
        )
        self.lock = threading.Lock()
        self.written = 0
        self.partial: list[ImportSummary] = []
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._work, name=f"import-writer-{n}", daemon=True)
            for n in range(self.THREADS)
        ]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    return
                if self.errors:
                    continue  # drain: the import stops
                batch, customers = job
                partial = ImportSummary(dry_run=False)
                try:
                    _write_batch(
                        self.dealer, batch, customers, self.existing, self.update_fields, partial
                    )
                except BaseException as exc:
                    with self.lock:
                        self.errors.append(exc)
                    continue
                with self.lock:
                    self.partial.append(partial)
                    self.written += len(batch)
        finally:
            connections.close_all()

    def put(self, batch: Sequence[CustomerRecord], customers: list[Customer]) -> None:
        if self.errors:
            raise self.errors[0]
        self.jobs.put((batch, customers))

    def finish(self, summary: ImportSummary) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
        for partial in self.partial:
            summary.orders_created += partial.orders_created
            summary.orders_updated += partial.orders_updated
            summary.consent_reset_events += partial.consent_reset_events
        if self.errors:
            raise self.errors[0]


def _count(
    summary: ImportSummary,
    batch: Sequence[CustomerRecord],
    customers: Sequence[Customer],
    existing: dict[str, int],
) -> None:
    for record, customer in zip(batch, customers, strict=True):
        if record.key in existing:
            summary.updated += 1
        else:
            summary.created += 1
        summary.orders += len(record.orders)
        summary.order_kinds_guessed += sum(1 for o in record.orders if o.kind_guessed)
        if customer.mobile and not customer.mobile_is_valid:
            summary.invalid_mobiles += 1
        if customer.email and not customer.email_is_valid:
            summary.invalid_emails += 1
        if record.legacy:
            summary.legacy_consent_kept += 1


def _count_orders(
    dealer: Dealer,
    batch: Sequence[CustomerRecord],
    existing: dict[str, int],
    summary: ImportSummary,
) -> None:
    known_ids = [existing[r.key] for r in batch if r.key in existing and r.orders]
    known = _existing_orders(dealer, known_ids)
    for record in batch:
        pk = existing.get(record.key)
        for order in record.orders:
            if pk is not None and (pk, order.kind, order.reference) in known:
                summary.orders_updated += 1
            else:
                summary.orders_created += 1


def _existing_orders(dealer: Dealer, customer_ids: Sequence[int]) -> set[tuple[int, str, str]]:
    if not customer_ids:
        return set()
    return set(
        Contact.objects.for_dealer(dealer)
        .filter(customer_id__in=customer_ids)
        .exclude(reference="")
        .values_list("customer_id", "kind", "reference")
    )


def _write_batch(
    dealer: Dealer,
    batch: Sequence[CustomerRecord],
    customers: list[Customer],
    existing: dict[str, int],
    update_fields: list[str],
    summary: ImportSummary,
) -> None:
    inserted: set[int] = set()  # customers this batch inserted (PostgreSQL)
    with transaction.atomic():
        postgres = connection.vendor == "postgresql"
        if postgres:
            for record, customer in zip(batch, customers, strict=True):
                if record.orders:
                    customer.last_contact_at = max(o.occurred_at for o in record.orders)
            ids = bulk.copy_upsert_customers(customers, update_fields, inserted)
        else:
            Customer.objects.bulk_create(
                customers,
                update_conflicts=True,
                unique_fields=["dealer", "external_id"],
                update_fields=update_fields,
            )
            ids = dict(
                Customer.objects.for_dealer(dealer)
                .filter(external_id__in=[c.external_id for c in customers])
                .values_list("external_id", "pk")
            )
        for customer in customers:
            customer.pk = ids[customer.external_id]
        orders = [(ids[r.key], o) for r in batch for o in r.orders]
        if orders:
            known = {existing[r.key] for r in batch if r.key in existing and r.orders}
            created = _upsert_orders(dealer, orders, known, inserted)
            summary.orders_created += created
            summary.orders_updated += len(orders) - created
            # New customers got last_contact_at with the upsert on PostgreSQL; recount the
            # others from their orders (an order's date may have moved).
            recount = known if postgres else {pk for pk, _ in orders}
            _refresh_last_contact(sorted(recount))
        new = [c for c in customers if c.external_id not in existing]
        summary.consent_reset_events += reset_new_customers(dealer=dealer, customers=new)


def _upsert_orders(
    dealer: Dealer,
    orders: Sequence[tuple[int, OrderRecord]],
    known_customers: set[int],
    fresh: Collection[int] = (),
) -> int:
    """Insert or update orders; returns how many were new. ``fresh``: customers inserted in this
    transaction (PostgreSQL), whose orders are simply inserted."""
    before = _existing_orders(dealer, sorted(known_customers))
    created = sum(1 for pk, o in orders if (pk, o.kind, o.reference) not in before)
    rows = [(dealer.pk, pk, o.kind, o.reference, o.occurred_at) for pk, o in orders]
    if connection.vendor == "postgresql":
        bulk.copy_upsert_contacts(rows, fresh)
    else:
        bulk.insert_upsert_contacts(rows)
    return created


def _refresh_last_contact(customer_ids: Sequence[int]) -> None:
    latest = (
        Contact.all_dealers.filter(customer_id=OuterRef("pk"))
        .values("customer_id")
        .annotate(m=Max("occurred_at"))
        .values("m")
    )
    for chunk in _chunks(customer_ids, 1000):
        Customer.all_dealers.filter(pk__in=chunk).update(last_contact_at=Subquery(latest))
