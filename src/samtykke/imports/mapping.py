"""Which column of the export holds what: proposed from the headers, confirmed by staff.

A mapping is ``{field: header}`` (JSON on disk and in the database), e.g.
``{"customer_number": "Kundenr", "name": "Navn", "mobile": "Mobil"}``. Fields not mapped are
left alone on existing customers. Headers are matched in Norwegian and English, ignoring case,
spaces and punctuation (``E-post``, ``epost``, ``E-mail`` …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# field → (label, header synonyms in preference order, normalized: lowercase letters/digits only)
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "external_id": (_("External id"), ("eksternid", "externalid", "dmsid", "kundeid", "id")),
    "customer_number": (
        _("Customer number"),
        (
            "kundenr",
            "kundenummer",
            "kundenro",
            "kunde",
            "customerno",
            "customernumber",
            "customerid",
            "custno",
            "customer",
        ),
    ),
    "name": (_("Name"), ("navn", "kundenavn", "fulltnavn", "name", "fullname", "customername")),
    "first_name": (_("First name"), ("fornavn", "firstname", "givenname")),
    "last_name": (_("Last name"), ("etternavn", "lastname", "surname", "familyname")),
    "mobile": (
        _("Mobile"),
        (
            "mobil",
            "mobilnr",
            "mobilnummer",
            "mobiltelefon",
            "mobile",
            "mobilephone",
            "mobileno",
            "cellphone",
            "cell",
            "telefon",
            "tlf",
            "telefonnr",
            "phone",
        ),
    ),
    "email": (_("E-mail"), ("epost", "epostadresse", "email", "emailaddress", "mail")),
    "street": (
        _("Street address"),
        (
            "adresse",
            "gateadresse",
            "postadresse",
            "adresse1",
            "address",
            "street",
            "streetaddress",
            "address1",
        ),
    ),
    "postal_code": (
        _("Postal code"),
        ("postnr", "postnummer", "postalcode", "zip", "zipcode", "postcode"),
    ),
    "city": (_("City"), ("poststed", "sted", "by", "city", "town")),
    "birth_date": (
        _("Birth date"),
        ("fødselsdato", "fodselsdato", "født", "birthdate", "dateofbirth", "dob"),
    ),
    "order_reference": (
        _("Order number"),
        (
            "ordrenr",
            "ordrenummer",
            "ordre",
            "arbeidsordre",
            "ordreid",
            "orderno",
            "ordernumber",
            "order",
            "orderreference",
            "orderid",
        ),
    ),
    "order_date": (_("Order date"), ("ordredato", "dato", "orderdate", "date")),
    "order_kind": (_("Order type"), ("ordretype", "type", "ordreart", "ordertype", "kind")),
    "legacy_sms": (
        _("Old SMS consent (kept as evidence only)"),
        ("sms", "smssamtykke", "samtykkesms", "smsmarkedsføring", "smsconsent", "consentsms"),
    ),
    "legacy_email": (
        _("Old e-mail consent (kept as evidence only)"),
        (
            "epostsamtykke",
            "samtykkeepost",
            "epostmarkedsføring",
            "emailconsent",
            "consentemail",
            "nyhetsbrev",
            "newsletter",
        ),
    ),
}
CUSTOMER_KEYS = ("external_id", "customer_number")
ORDER_FIELDS = ("order_reference", "order_date", "order_kind")
LEGACY_FIELDS = ("legacy_sms", "legacy_email")


class MappingError(ValueError):
    """A mapping that cannot be used with this file; the message names the field or header."""


def normalize_header(header: str) -> str:
    """``E-post samtykke`` → ``epostsamtykke``: letters and digits only, lowercase."""
    return re.sub(r"[^0-9a-zæøåäöü]", "", header.lower())


@dataclass
class Mapping:
    """``columns`` maps a field (see FIELDS) to the header of the column that holds it."""

    columns: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.columns.get(name) or None

    @property
    def key_field(self) -> str:
        """The field customers are matched on: the external id, else the customer number."""
        return "external_id" if self.header("external_id") else "customer_number"

    @property
    def has_orders(self) -> bool:
        return bool(self.header("order_reference") or self.header("order_date"))

    @property
    def has_customer_details(self) -> bool:
        details = set(FIELDS) - set(CUSTOMER_KEYS) - set(ORDER_FIELDS)
        return any(self.header(name) for name in details)

    def to_json(self) -> dict[str, str]:
        return {name: header for name, header in self.columns.items() if header}

    @classmethod
    def from_json(cls, data: Any, headers: Sequence[str] | None = None) -> Mapping:
        """Read a mapping; with ``headers``, every mapped header must be one of them."""
        if not isinstance(data, dict):
            raise MappingError('A mapping is a JSON object like {"name": "Navn"}.')
        columns: dict[str, str] = {}
        for name, header in data.items():
            if name not in FIELDS:
                raise MappingError(f"Unknown field {name!r}; the fields are: {', '.join(FIELDS)}.")
            if header in (None, ""):
                continue
            if not isinstance(header, str):
                raise MappingError(f"The header for {name!r} must be text.")
            if headers is not None and header not in headers:
                raise MappingError(
                    f"The file has no column {header!r} (for {name}); its columns are: "
                    f"{', '.join(headers)}."
                )
            columns[name] = header
        mapping = cls(columns)
        mapping.check()
        return mapping

    def check(self) -> None:
        """Raise MappingError if the mapping cannot identify customers or maps a column twice."""
        if not any(self.header(name) for name in CUSTOMER_KEYS):
            raise MappingError(
                "Map the customer number or the external id: customers are matched on it."
            )
        used: dict[str, str] = {}
        for name, header in self.columns.items():
            if header in used:
                raise MappingError(f"Column {header!r} is mapped twice ({used[header]}, {name}).")
            used[header] = name


def propose_mapping(headers: Iterable[str]) -> Mapping:
    """The best guess from the header names; each header is used for at most one field."""
    normalized = {header: normalize_header(header) for header in headers}
    taken: set[str] = set()
    columns: dict[str, str] = {}
    # Fields with specific synonyms first, so "SMS samtykke" is not taken by a looser match.
    for name in sorted(FIELDS, key=lambda n: n in ("mobile", "order_date", "order_kind")):
        synonyms = FIELDS[name][1]
        for synonym in synonyms:
            match = next(
                (
                    h
                    for h, n in normalized.items()
                    if n == normalize_header(synonym) and h not in taken
                ),
                None,
            )
            if match is not None:
                columns[name] = match
                taken.add(match)
                break
    return Mapping(columns)
