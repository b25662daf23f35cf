"""From rows to customers and their orders, reporting every bad value by line and column.

``validate(parsed, mapping)`` is the dry run's check of the file on its own; the engine reads
the same records with ``read_records`` and adds the checks that need the register (erased
customers, orders for customers nobody knows).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from samtykke.customers.models import Contact
from samtykke.imports.mapping import LEGACY_FIELDS, ORDER_FIELDS, Mapping
from samtykke.imports.parsing import ParsedFile, Row

MAX_LENGTH = {
    "external_id": 64,
    "customer_number": 64,
    "name": 200,
    "first_name": 100,
    "last_name": 100,
    "mobile": 40,
    "email": 254,
    "street": 200,
    "postal_code": 10,
    "city": 100,
    "order_reference": 64,
    "order_kind": 40,
    "legacy_sms": 100,
    "legacy_email": 100,
}
KEY_MISSING = {
    "customer_number": "the customer number is missing",
    "external_id": "the external id is missing",
}
DETAIL_FIELDS = ("customer_number", "name", "mobile", "email", "street", "postal_code", "city")

ORDER_KINDS = {
    Contact.Kind.WORKSHOP_ORDER: (
        "workshoporder",
        "verksted",
        "verkstedordre",
        "verkstad",
        "service",
        "reparasjon",
        "workshop",
        "repair",
        "eukontroll",
        "dekkskift",
        "arbeidsordre",
        "ao",
        "v",
    ),
    Contact.Kind.VEHICLE_SALE: (
        "vehiclesale",
        "bilsalg",
        "salg",
        "nybil",
        "bruktbil",
        "nybilsalg",
        "bruktbilsalg",
        "kjøretøysalg",
        "sale",
        "carsale",
        "b",
    ),
    Contact.Kind.PARTS_SALE: (
        "partssale",
        "deler",
        "delesalg",
        "parts",
        "rekvisita",
        "tilbehør",
        "butikk",
        "d",
    ),
    Contact.Kind.OTHER: ("other", "annet", "anna", "besøk", "visit"),
}
_KIND_BY_WORD = {word: kind for kind, words in ORDER_KINDS.items() for word in words}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%d-%m-%Y", "%Y%m%d", "%d%m%Y")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)
_UNSEEN: Any = object()
_NB_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class RowProblem:
    """A bad value: the file's line, the column's header, the value as written and why."""

    line: int
    column: str
    value: str
    reason: str
    file: str = ""  # "orders" for a problem in a separate orders file

    def to_json(self) -> dict[str, Any]:
        found = {"line": self.line, "column": self.column, "value": self.value}
        return found | {"reason": self.reason, "file": self.file}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowProblem:
        return cls(
            int(data["line"]), data["column"], data["value"], data["reason"], data.get("file", "")
        )

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        if self.file:
            where = f"{self.file} file, {where}"
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}: {self.reason}{shown}"


@dataclass(slots=True)
class OrderRecord:
    line: int
    reference: str
    occurred_at: dt.datetime
    kind: str
    kind_guessed: bool = False


@dataclass(slots=True)
class CustomerRecord:
    """A customer as the file describes it; ``values`` holds the mapped fields that were read."""

    line: int
    key: str
    values: dict[str, Any]
    legacy: dict[str, str]
    orders: list[OrderRecord] = field(default_factory=list)


def parse_date(text: str) -> dt.date | None:
    """A date as Norwegian and international exports write it, or None."""
    match = _NB_DATE.match(text) or None
    try:
        if match is not None:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO_DATE.match(text)
        if match is not None:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_moment(text: str) -> dt.datetime | None:
    """An order's date (midnight, Norwegian time) or date and time, as an aware datetime."""
    zone = timezone.get_default_timezone()
    day = parse_date(text)
    if day is not None:
        return dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def order_kind(text: str) -> tuple[str, bool]:
    """(Contact.Kind, guessed): an unknown word is "other" and counted as guessed."""
    if not text:
        return Contact.Kind.OTHER, False
    word = re.sub(r"[^0-9a-zæøå]", "", text.lower())
    kind = _KIND_BY_WORD.get(word)
    return (kind, False) if kind else (Contact.Kind.OTHER, True)


class _Reader:
    def __init__(self, parsed: ParsedFile, mapping: Mapping) -> None:
        self.parsed = parsed
        self.mapping = mapping
        self.index = {header: i for i, header in enumerate(parsed.headers)}
        self.columns = {
            name: (header, self.index[header])
            for name, header in mapping.columns.items()
            if header in self.index
        }
        self.customer_columns = {n: c for n, c in self.columns.items() if n not in ORDER_FIELDS}
        self.order_columns = {n: c for n, c in self.columns.items() if n in ORDER_FIELDS}
        indexes = [i for _, i in self.customer_columns.values()]
        self._raw_of = operator.itemgetter(*indexes) if len(indexes) > 1 else None
        self._raw_width = max(indexes, default=-1) + 1
        self._last_raw: tuple[str, ...] | None = None
        self._last: tuple[dict[str, Any], dict[str, str]] | None = None
        self.width = len(parsed.headers)
        self.key_field = mapping.key_field
        self.today = timezone.localdate()
        self.soon = timezone.now() + dt.timedelta(minutes=5)
        # Exports repeat the same few dates and order types on thousands of rows.
        self._moments: dict[str, dt.datetime | None] = {}
        self._kinds: dict[str, tuple[str, bool]] = {}

    def read_row(self, row: Row, problems: list[RowProblem]) -> CustomerRecord | None:
        """The row's customer (with its order, if any); None when the row is bad.

        A customer repeated on consecutive rows (one row per order) with the same values is
        checked once: later rows reuse the checked values and only their order is read.
        """
        before = len(problems)
        if len(row.values) > self.width and any(v for v in row.values[self.width :]):
            problems.append(
                RowProblem(
                    row.line,
                    "",
                    "",
                    f"the row has {len(row.values)} values but the header names {self.width} "
                    "columns (a separator inside a value needs quotes)",
                )
            )
            return None
        count = len(row.values)
        if self._raw_of is not None and count >= self._raw_width:
            raw = self._raw_of(row.values)
        else:
            raw = tuple(
                row.values[i] if i < count else "" for _, i in self.customer_columns.values()
            )
        if raw == self._last_raw and self._last is not None:
            values, legacy = dict(self._last[0]), dict(self._last[1])
        else:
            values, legacy = {}, {}
            self._read_fields(row, self.customer_columns, values, legacy, problems)
            key_field = self.key_field
            if not values.get(key_field) and key_field in values:
                header = self.columns[key_field][0]
                problems.append(RowProblem(row.line, header, "", KEY_MISSING[key_field]))
            self._dates(row.line, values, problems)
            if "first_name" in values or "last_name" in values:
                joined = " ".join(
                    p for p in (values.pop("first_name", ""), values.pop("last_name", "")) if p
                )
                values["name"] = values.get("name") or joined
            if len(problems) > before:
                self._last_raw, self._last = None, None
                return None
            self._last_raw, self._last = raw, (dict(values), dict(legacy))
        self._read_fields(row, self.order_columns, values, legacy, problems)
        order = self._order(row.line, values, problems)
        if len(problems) > before:
            return None
        record = CustomerRecord(row.line, values.get(self.key_field, ""), values, legacy)
        if order is not None:
            record.orders.append(order)
        return record

    def _read_fields(
        self,
        row: Row,
        columns: dict[str, tuple[str, int]],
        values: dict[str, Any],
        legacy: dict[str, str],
        problems: list[RowProblem],
    ) -> None:
        count = len(row.values)
        for name, (header, index) in columns.items():
            raw = row.values[index] if index < count else ""
            value = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
            if _CONTROL.search(value):
                problems.append(RowProblem(row.line, header, raw, "contains a control character"))
                continue
            limit = MAX_LENGTH.get(name)
            if limit and len(value) > limit:
                problems.append(
                    RowProblem(row.line, header, value, f"longer than {limit} characters")
                )
                continue
            if name in LEGACY_FIELDS:
                if value:
                    legacy[header] = value
                continue
            values[name] = value

    def _dates(self, line: int, values: dict[str, Any], problems: list[RowProblem]) -> None:
        text = values.get("birth_date")
        if text is None:
            return
        if not text:
            values["birth_date"] = None
            return
        day = parse_date(text)
        header = self.columns["birth_date"][0]
        if day is None:
            problems.append(RowProblem(line, header, text, "not a date (use 31.12.1980)"))
        elif day > self.today:
            problems.append(RowProblem(line, header, text, "the birth date is in the future"))
        elif day.year < self.today.year - 130:
            problems.append(RowProblem(line, header, text, "the birth date is too long ago"))
        else:
            values["birth_date"] = day

    def _order(
        self, line: int, values: dict[str, Any], problems: list[RowProblem]
    ) -> OrderRecord | None:
        reference = values.pop("order_reference", "")
        date_text = values.pop("order_date", "")
        kind_text = values.pop("order_kind", "")
        if not reference and not date_text:
            return None
        if not reference:
            header = self.columns.get("order_reference", self.columns["order_date"])[0]
            problems.append(RowProblem(line, header, "", "the order has a date but no number"))
            return None
        if "order_date" not in self.columns:
            header = self.columns["order_reference"][0]
            problems.append(RowProblem(line, header, reference, "the order date is not mapped"))
            return None
        header = self.columns["order_date"][0]
        if not date_text:
            problems.append(RowProblem(line, header, "", "the order has no date"))
            return None
        moment = self._moments.get(date_text, _UNSEEN)
        if moment is _UNSEEN:
            moment = self._moments[date_text] = parse_moment(date_text)
        if moment is None:
            problems.append(RowProblem(line, header, date_text, "not a date (use 31.12.2024)"))
            return None
        if moment > self.soon:
            problems.append(RowProblem(line, header, date_text, "the order date is in the future"))
            return None
        found = self._kinds.get(kind_text)
        if found is None:
            found = self._kinds[kind_text] = order_kind(kind_text)
        kind, guessed = found
        return OrderRecord(line, reference, moment, kind, guessed)


def _merge(earlier: CustomerRecord, later: CustomerRecord, reader: _Reader) -> RowProblem | None:
    """A customer repeated on a later row (one row per order) must say the same about them."""
    if later.values == earlier.values and later.legacy == earlier.legacy:
        return None
    for name, value in later.values.items():
        if name in ("customer_number", "external_id"):
            continue
        old = earlier.values.get(name)
        if value and old and value != old:
            header = reader.mapping.header(name) or name
            return RowProblem(
                later.line, header, str(value), f"differs from line {earlier.line} ({old})"
            )
    for name, value in later.values.items():
        if value and not earlier.values.get(name):
            earlier.values[name] = value
    for header, value in later.legacy.items():
        earlier.legacy.setdefault(header, value)
    return None


def iter_records(
    parsed: ParsedFile, mapping: Mapping, problems: list[RowProblem]
) -> Iterator[CustomerRecord]:
    """Every good row as a record, in file order (a repeated customer appears repeatedly)."""
    reader = _Reader(parsed, mapping)
    for row in parsed.iter_rows():
        record = reader.read_row(row, problems)
        if record is not None:
            yield record


def read_records(
    parsed: ParsedFile,
    mapping: Mapping,
    problems: list[RowProblem],
    seen: Callable[[CustomerRecord], None] | None = None,
) -> dict[str, CustomerRecord]:
    """The file's customers by key, each with all its orders; bad rows go to ``problems``.
    ``seen`` is called with each customer when its first good row is read."""
    reader = _Reader(parsed, mapping)
    customers: dict[str, CustomerRecord] = {}
    references: dict[tuple[str, str, str], int] = {}
    for row in parsed.iter_rows():
        record = reader.read_row(row, problems)
        if record is None:
            continue
        for order in record.orders:
            seen_at = references.get((record.key, order.kind, order.reference))
            if seen_at is not None:
                header = mapping.header("order_reference") or ""
                problems.append(
                    RowProblem(
                        row.line, header, order.reference, f"the same order is on line {seen_at}"
                    )
                )
                record = None
                break
        if record is None:
            continue
        earlier = customers.get(record.key)
        if earlier is None:
            customers[record.key] = record
            if seen is not None:
                seen(record)
        else:
            conflict = _merge(earlier, record, reader)
            if conflict is not None:
                problems.append(conflict)
                continue
            earlier.orders.extend(record.orders)
        for order in record.orders:
            references[(record.key, order.kind, order.reference)] = order.line
    return customers


def validate(parsed: ParsedFile, mapping: Mapping) -> list[RowProblem]:
    """Every bad row of the file, by line and column, with the reason (nothing is written)."""
    problems: list[RowProblem] = []
    read_records(parsed, mapping, problems)
    problems.sort(key=lambda p: (p.line, p.column))
    return problems


__all__ = [
    "DETAIL_FIELDS",
    "ORDER_FIELDS",
    "CustomerRecord",
    "OrderRecord",
    "RowProblem",
    "read_records",
    "validate",
]
