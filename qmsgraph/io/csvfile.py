"""CSV registers as Excel and other tools save them.

* **Encoding**: a byte-order mark is honoured (Excel's "CSV UTF-8" writes one; "Unicode
  text" is UTF-16). Without one, the file is read as UTF-8, and if it is not UTF-8, as
  Windows-1252 (Excel's "CSV (Comma delimited)" on a UK Windows PC). ``encoding`` forces
  one; when the bytes do not fit it, the error names the row and suggests another.
* **Delimiter**: ``,``, ``;``, tab or ``|``, told from the header row (Excel in many
  European locales writes ``;``), or from a first line ``sep=;`` as Excel writes it.
* **Dates**: see :mod:`qmsgraph.io.tabular` (ISO, or UK day-first with ``dayfirst``).
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .tabular import ReadOptions, kind_for_name, read_table

if TYPE_CHECKING:
    from .readers import _Collector

__all__ = ["decode", "read_csv"]

DELIMITERS = (",", ";", "\t", "|")
FALLBACK = "cp1252"


def _row_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Bytes of a text file to text; raises ValueError with a message naming the row."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding '{encoding}' (try utf-8 or cp1252)") from None
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as err:
            other = "cp1252" if codecs.lookup(encoding).name == "utf-8" else "utf-8"
            raise ValueError(
                f"row {_row_of(data, err.start)}: byte 0x{data[err.start]:02x} is not valid "
                f"{encoding}; the file is in another encoding (try --encoding {other})"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(FALLBACK)
    except UnicodeDecodeError as err:
        raise ValueError(
            f"row {_row_of(data, err.start)}: byte 0x{data[err.start]:02x} is neither "
            "UTF-8 nor Windows-1252; save the file as 'CSV UTF-8' or give --encoding"
        ) from None


def _delimiter(first_line: str) -> str:
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, data: bytes | str, col: _Collector, opts: ReadOptions) -> None:
    """One CSV register (nodes, relations or measure data) into the collector."""
    name = str(path)
    if isinstance(data, bytes):
        try:
            text = decode(data, name, opts.encoding)
        except ValueError as err:
            col.problem(name, f"cannot read: {err}")
            return
    else:
        text = data.lstrip("\ufeff")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        col.problem(name, "empty CSV: expected a header row")
        return
    skip = 0
    if lines[first].lower().startswith("sep=") and len(lines[first].strip()) == 5:
        delim = lines[first].strip()[4]
        skip = first + 1
    else:
        delim = _delimiter(lines[first])
    body = "\n".join(lines[skip:]) if skip else text
    try:
        rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=delim, strict=True))
    except csv.Error as err:
        col.problem(name, f"malformed CSV: {err}")
        return
    numbered = [(i + skip + 1, r) for i, r in enumerate(rows)]
    while numbered and not any(c.strip() for c in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        col.problem(name, "empty CSV: expected a header row")
        return
    header = numbered[0][1]
    read_table(header, numbered[1:], source=name, where=name, col=col, opts=opts,
               kind_hint=kind_for_name(path.stem), letters=False)
