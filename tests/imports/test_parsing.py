"""Reading exports: encodings, separators, BOM, line numbers, and files that are not tables."""

from __future__ import annotations

import codecs

import pytest

from samtykke.imports.parsing import ImportFileError, read_upload
from tests.imports.files import NB_HEADERS, ROWS, export, table

ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "cp1252": "windows-1252",  # the en dash below is a Windows-1252-only byte (0x96)
    "latin-1": "iso-8859-1",
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_every_encoding_and_separator(encoding: str, delimiter: str) -> None:
    rows = [list(r) for r in ROWS]
    if encoding == "cp1252":
        rows[0][4] = "Storgata 1 – inngang B"
    parsed = read_upload(export(rows, delimiter=delimiter, encoding=encoding))
    assert parsed.encoding == ENCODINGS[encoding]
    assert parsed.delimiter == delimiter
    assert parsed.headers == NB_HEADERS
    assert [r.line for r in parsed.rows] == [2, 3, 4, 5]
    assert parsed.rows[0].values[1] == "Åse Ørnes-Bækken"
    assert parsed.rows[0].values[4] == rows[0][4]
    assert parsed.rows[2].values[1] == "Bjørn Æsøy"


def test_bom_is_not_part_of_the_first_header() -> None:
    parsed = read_upload(export(encoding="utf-8-sig"))
    assert parsed.headers[0] == "Kundenr"
    assert parsed.had_bom


def test_utf16_from_excel_unicode_text() -> None:
    data = codecs.BOM_UTF16_LE + table(NB_HEADERS, ROWS, "\t").encode("utf-16-le")
    parsed = read_upload(data)
    assert parsed.encoding == "utf-16"
    assert parsed.delimiter == "\t"
    assert parsed.rows[0].values[1] == "Åse Ørnes-Bækken"


def test_a_value_over_two_lines_keeps_the_line_numbers_true() -> None:
    rows = [list(r) for r in ROWS]
    rows[0][4] = "Storgata 1\nPostboks 5"
    parsed = read_upload(export(rows))
    assert [r.line for r in parsed.rows] == [2, 4, 5, 6]
    assert parsed.rows[0].values[4] == "Storgata 1\nPostboks 5"


def test_blank_lines_are_skipped_but_counted() -> None:
    text = (
        table(NB_HEADERS, ROWS[:1])
        + "\r\n;;;\r\n"
        + table(NB_HEADERS, ROWS[2:3]).split("\r\n", 1)[1]
    )
    parsed = read_upload(text.encode())
    assert [r.line for r in parsed.rows] == [2, 5]


def test_repeated_headers_are_made_unique() -> None:
    parsed = read_upload(b"Kundenr;Telefon;Telefon\n1;2;3\n")
    assert parsed.headers == ["Kundenr", "Telefon", "Telefon (2)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"PK\x03\x04\x00\x00binary", "not a text file"),
        (b"just one column\n1\n", "name the columns"),
        (codecs.BOM_UTF8 + b"Kundenr;Navn\n1;\xe6\n", "not UTF-8"),
    ],
)
def test_files_that_are_not_tables_get_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_upload(data)


def test_undefined_windows_1252_byte_reads_as_iso_8859_1() -> None:
    parsed = read_upload("Kundenr;Navn\n1;Kåre\n".encode("latin-1") + b"2;X\x81\n")
    assert parsed.encoding == "iso-8859-1"
    assert parsed.rows[0].values[1] == "Kåre"
    assert parsed.rows[1].values[1] == "X\x81"
