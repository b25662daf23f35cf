"""Build DMS exports the way real ones look: any encoding, any separator, Norwegian headers."""

from __future__ import annotations

import codecs

NB_HEADERS = [
    "Kundenr",
    "Navn",
    "Mobil",
    "E-post",
    "Adresse",
    "Postnr",
    "Poststed",
    "Fødselsdato",
    "Ordrenr",
    "Ordredato",
    "Ordretype",
    "SMS",
    "E-post samtykke",
]
EN_HEADERS = [
    "Customer number",
    "Name",
    "Mobile",
    "Email",
    "Address",
    "Postal code",
    "City",
    "Birth date",
    "Order number",
    "Order date",
    "Order type",
    "SMS consent",
    "Email consent",
]
ROWS = [
    [
        "10001",
        "Åse Ørnes-Bækken",
        "912 34 567",
        "ase@example.no",
        "Storgata 1",
        "9008",
        "Tromsø",
        "01.02.1970",
        "WO-1",
        "03.01.2025",
        "Verksted",
        "Ja",
        "Nei",
    ],
    [
        "10001",
        "Åse Ørnes-Bækken",
        "912 34 567",
        "ase@example.no",
        "Storgata 1",
        "9008",
        "Tromsø",
        "01.02.1970",
        "WO-2",
        "04.02.2025",
        "Verksted",
        "Ja",
        "Nei",
    ],
    [
        "10002",
        "Bjørn Æsøy",
        "+47 48 00 00 01",
        "ikke-en-epost",
        "Fjordveien 2",
        "9010",
        "Tromsø",
        "",
        "S-9",
        "2024-05-06",
        "Bilsalg",
        "",
        "",
    ],
    [
        "10003",
        "Ola Nordmann",
        "22 00 00 00",
        "",
        "Øvre gate 3",
        "0150",
        "Oslo",
        "1980-12-31",
        "",
        "",
        "",
        "",
        "",
    ],
]


def table(headers: list[str], rows: list[list[str]], delimiter: str = ";") -> str:
    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "\r\n".join(delimiter.join(cell(v) for v in row) for row in [headers, *rows]) + "\r\n"


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding)


def export(
    rows: list[list[str]] | None = None,
    headers: list[str] | None = None,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> bytes:
    return encode(table(headers or NB_HEADERS, ROWS if rows is None else rows, delimiter), encoding)
