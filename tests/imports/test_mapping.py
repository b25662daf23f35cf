"""Proposing and reading mappings."""

from __future__ import annotations

import pytest

from samtykke.imports.mapping import Mapping, MappingError, propose_mapping
from tests.imports.files import EN_HEADERS, NB_HEADERS

EXPECTED = {
    "customer_number": 0,
    "name": 1,
    "mobile": 2,
    "email": 3,
    "street": 4,
    "postal_code": 5,
    "city": 6,
    "birth_date": 7,
    "order_reference": 8,
    "order_date": 9,
    "order_kind": 10,
    "legacy_sms": 11,
    "legacy_email": 12,
}


@pytest.mark.parametrize("headers", [NB_HEADERS, EN_HEADERS], ids=["norwegian", "english"])
def test_proposed_from_norwegian_and_english_headers(headers: list[str]) -> None:
    mapping = propose_mapping(headers)
    assert mapping.columns == {field: headers[i] for field, i in EXPECTED.items()}
    assert mapping.key_field == "customer_number"
    assert mapping.has_orders


def test_mobile_is_preferred_to_a_plain_phone_and_split_names_are_found() -> None:
    mapping = propose_mapping(["Kunde-ID", "Fornavn", "Etternavn", "Telefon", "Mobiltelefon"])
    assert mapping.columns["mobile"] == "Mobiltelefon"
    assert mapping.columns["first_name"] == "Fornavn"
    assert mapping.columns["last_name"] == "Etternavn"
    assert mapping.columns["external_id"] == "Kunde-ID"
    assert mapping.key_field == "external_id"


def test_from_json_checks_fields_and_headers() -> None:
    assert Mapping.from_json({"customer_number": "Kundenr", "name": ""}, NB_HEADERS).columns == {
        "customer_number": "Kundenr"
    }
    with pytest.raises(MappingError, match="Unknown field 'navn'"):
        Mapping.from_json({"navn": "Navn"}, NB_HEADERS)
    with pytest.raises(MappingError, match="no column 'Kundenummer'"):
        Mapping.from_json({"customer_number": "Kundenummer"}, NB_HEADERS)
    with pytest.raises(MappingError, match="customer number or the external id"):
        Mapping.from_json({"name": "Navn"}, NB_HEADERS)
    with pytest.raises(MappingError, match="mapped twice"):
        Mapping.from_json({"customer_number": "Kundenr", "name": "Kundenr"}, NB_HEADERS)
    with pytest.raises(MappingError, match="JSON object"):
        Mapping.from_json(["Kundenr"], NB_HEADERS)
