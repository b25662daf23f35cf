"""Reading a DMS export: its encoding, its separator, its header and its rows with line numbers.

Encodings, in the order they are tried:

1. a byte-order mark decides: UTF-8 (``utf-8-sig``) or UTF-16 (Excel's "Unicode text");
2. bytes that are valid UTF-8 are UTF-8 (text in a single-byte encoding with any letter beyond
   ASCII, such as æ, ø or å, is practically never valid UTF-8);
3. otherwise Windows-1252. ISO-8859-1 and Windows-1252 give the same letters for every byte
   except 0x80–0x9F: ISO-8859-1 has invisible C1 control codes there, Windows-1252 has € ‚ „ …
   – — ‘ ’ “ ” and a few more. A real export never means a control code, so Windows-1252 is the
   right reading of both. The file is reported as ``iso-8859-1`` when it has no byte in
   0x80–0x9F (both readings are then identical), and as ``windows-1252`` when it has. The five
   bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are read as ISO-8859-1
   control codes, and validation reports the value that holds one.

The separator is the one of ``;``, ``,`` and tab that splits the header into the most columns
and the first rows into the same number of columns (Norwegian Excel writes ``;`` because ``,``
is the decimal sign).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
_SAMPLE_LINES = 50
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class ImportFileError(ValueError):
    """The file cannot be read as a table; the message says why, for the person uploading it."""


class Row(NamedTuple):
    """One record: ``line`` is the file's line where it starts (the header is line 1)."""

    line: int
    values: tuple[str, ...]


@dataclass
class ParsedFile:
    """A decoded export. ``rows`` reads every record; ``iter_rows()`` streams them."""

    encoding: str  # utf-8, utf-8-sig, utf-16, windows-1252 or iso-8859-1
    delimiter: str  # ";", "," or "\t"
    headers: list[str]
    text: str = field(repr=False)
    header_lines: int = 1
    _rows: list[Row] | None = field(default=None, repr=False)

    @property
    def had_bom(self) -> bool:
        return self.encoding in ("utf-8-sig", "utf-16")

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES[self.delimiter]

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = list(self.iter_rows())
        return self._rows

    def iter_rows(self) -> Iterator[Row]:
        """Every non-blank record after the header, values stripped of surrounding spaces."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter, strict=False)
        previous_end = 0
        for number, record in enumerate(reader):
            start, previous_end = previous_end + 1, reader.line_num
            if number < self.header_lines:
                continue
            values = tuple(map(str.strip, record))
            if not any(values):
                continue
            yield Row(start, values)

    def preview(self, count: int = 10) -> list[Row]:
        """The first ``count`` rows, without reading the whole file."""
        found: list[Row] = []
        for row in self.iter_rows():
            found.append(row)
            if len(found) >= count:
                break
        return found


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for the bytes of an export; see the module docstring."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"The file starts as UTF-8 but byte {exc.start + 3} is not UTF-8."
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError("The file starts as UTF-16 but is not valid UTF-16.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    high_controls = {b for b in set(data) if 0x80 <= b <= 0x9F}
    if high_controls & _CP1252_UNDEFINED:
        text = "".join(
            bytes([b]).decode("latin-1") if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252")
            for b in data
        )
        return text, "iso-8859-1"
    return data.decode("cp1252"), "windows-1252" if high_controls else "iso-8859-1"


def detect_delimiter(text: str) -> str:
    """The separator that splits the header and the first rows into the same, largest width."""
    lines = text.splitlines()[:_SAMPLE_LINES]
    sample = "\n".join(lines)
    best, best_score = ";", (-1, -1)
    for delimiter in DELIMITERS:
        records = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        consistent = sum(1 for r in records[1:] if len(r) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unique(headers: list[str]) -> list[str]:
    """Header names, with a repeated name made unique: ``Telefon``, ``Telefon (2)``."""
    seen: dict[str, int] = {}
    result = []
    for index, raw in enumerate(headers):
        name = raw.strip().strip("\ufeff") or f"Column {index + 1}"
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        result.append(name if count == 1 else f"{name} ({count})")
    return result


def read_upload(data: bytes) -> ParsedFile:
    """Decode and split an uploaded export; raises ImportFileError when it is not a table."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            "This is not a text file (is it an Excel workbook? Save it as CSV first)."
        )
    text, encoding = decode(data)
    delimiter = detect_delimiter(text)
    header_row = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    headers = _unique(header_row)
    if len([h for h in header_row if h.strip()]) < 2:
        raise ImportFileError(
            "The first line must name the columns, separated by semicolon, comma or tab."
        )
    return ParsedFile(encoding=encoding, delimiter=delimiter, headers=headers, text=text)
