"""Finding customers in the register, fast on hundreds of thousands of rows.

Every search is a *prefix* search written as an index range (``col >= q AND col < q + U+10FFFF``)
plus the exact ``LIKE 'q%'`` test, so PostgreSQL (any collation) and SQLite walk the existing
``(dealer, name)``, ``(dealer, mobile)``, ``(dealer, email)`` and ``(dealer, customer_number)``
indexes instead of scanning the table. Names are matched in the case variants staff type
("kari", "Kari", "KARI"). A search anywhere in the name or in any case of the e-mail address
(``everywhere``) scans the dealer's rows: it is asked for, or tried when the fast search finds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from samtykke.consent.models import ConsentState, Status
from samtykke.customers.models import Customer
from samtykke.customers.normalize import normalize_phone
from samtykke.tenancy.models import Dealer

TOP = chr(0x10FFFF)
PHONE_CHARS = re.compile(r"^[\d\s+()./-]+$")
NOT_ASKED = "not_asked"
STATUS_FILTERS = [Status.GIVEN, Status.REFUSED, Status.WITHDRAWN, NOT_ASKED]


def prefix(field: str, value: str) -> Q:
    """``field`` starts with ``value``, as an index range the planner can use."""
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + TOP, f"{field}__startswith": value})


def case_variants(text: str) -> list[str]:
    variants = [text, text.lower(), text.upper(), " ".join(w.capitalize() for w in text.split(" "))]
    return list(dict.fromkeys(v for v in variants if v))


def phone_prefix(query: str) -> str | None:
    """What a typed phone number (any format) starts with in E.164, or None if it is not one."""
    if not PHONE_CHARS.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < 3:
        return None
    full = normalize_phone(query)
    if full.is_valid:
        return full.value
    if query.strip().startswith("+"):
        return "+" + digits
    if query.strip().startswith("00"):
        return "+" + digits[2:]
    return "+47" + digits  # a Norwegian number typed without its country code


def text_conditions(query: str) -> list[Q]:
    """One index-range condition per field and spelling the query may mean."""
    query = query.strip()[:200]
    if not query:
        return []
    conditions: list[Q] = []
    # "per.berg" or "kari@" is an e-mail address; a bare word is read as a name (a name-start
    # branch is cheap; an e-mail prefix re-sorts its matches by name). An e-mail address that
    # starts with a bare word is still found by the broad search when no name starts so.
    if "@" in query or ("." in query and " " not in query and len(query) >= 3):
        conditions += [prefix("email", v) for v in dict.fromkeys([query.lower(), query])]
    if "@" in query:
        return conditions
    if len(query) >= 2:
        codes = list(dict.fromkeys([query, query.upper()]))
        conditions += [prefix("customer_number", v) for v in codes]
        conditions += [prefix("external_id", v) for v in codes]
    mobile = phone_prefix(query)
    if mobile:
        conditions.append(prefix("mobile", mobile))
    if not query.replace(" ", "").isdigit():
        conditions += [prefix("name", v) for v in case_variants(query)]
    return conditions


def broad_query(query: str) -> Q:
    """Anywhere in the name, any case in the e-mail address: a scan of the dealer's rows."""
    query = query.strip()[:200]
    return Q(name__icontains=query) | Q(email__istartswith=query)


@dataclass(frozen=True)
class CustomerFilter:
    query: str = ""
    everywhere: bool = False  # match anywhere in the name (slower, no index)
    purpose_id: int | None = None
    statuses: tuple[tuple[int, str], ...] = ()  # (channel id, status or NOT_ASKED)
    contact_within_years: int | None = None
    include_erased: bool = False


def filtered(dealer: Dealer, spec: CustomerFilter) -> QuerySet[Customer]:
    """The dealer's customers passing the filters (not the text query)."""
    customers = Customer.objects.for_dealer(dealer)
    if not spec.include_erased:
        customers = customers.filter(erased_at__isnull=True)
    if spec.contact_within_years:
        since = timezone.now() - dt.timedelta(days=round(365.25 * spec.contact_within_years))
        customers = customers.filter(last_contact_at__gte=since)
    for channel_id, status in spec.statuses:
        # An uncorrelated IN (SELECT customer_id …): read once through the (dealer, channel,
        # status) index. A correlated EXISTS made SQLite rescan that index for every customer.
        states = ConsentState.objects.for_dealer(dealer).filter(channel_id=channel_id)
        if spec.purpose_id:
            states = states.filter(purpose_id=spec.purpose_id)
        if status == NOT_ASKED:
            answered = states.exclude(status=Status.UNKNOWN).values("customer_id")
            customers = customers.exclude(pk__in=answered)
        else:
            customers = customers.filter(pk__in=states.filter(status=status).values("customer_id"))
    return customers


def search_page(dealer: Dealer, spec: CustomerFilter, offset: int, limit: int) -> list[Customer]:
    """Customers ``offset`` to ``offset + limit`` in name order.

    A text query becomes one small query per field and spelling, each an index range read in
    name order and cut at ``offset + limit``; their union, merged in name order, is the page.
    One OR of them all would let the planner scan the whole name index instead.
    """
    customers = filtered(dealer, spec)
    if not spec.query.strip():
        return list(customers.order_by("name", "pk")[offset : offset + limit])
    branches = text_conditions(spec.query)
    if spec.everywhere:
        branches.append(broad_query(spec.query))
    parts = [
        customers.filter(condition)
        .order_by("name", "pk")
        .values_list("name", "pk")[: offset + limit]
        for condition in branches
    ]
    found: set[tuple[str, int]] = set()
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        found.update(parts[0].union(*parts[1:], all=True))  # one round trip (PostgreSQL)
    else:
        for part in parts:
            found.update(part)
    page = [pk for _name, pk in sorted(found)[offset : offset + limit]]
    by_pk = Customer.objects.for_dealer(dealer).in_bulk(page)
    return [by_pk[pk] for pk in page]
