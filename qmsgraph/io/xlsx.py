"""Excel workbooks (.xlsx) in and out, with openpyxl.

**In.** Every sheet is a register (see :mod:`qmsgraph.io.tabular`): named after a kind
(``StrategicGoal``, ``Strategic goals``, ``projects``), or with a ``kind`` column, or an
edge list (``source,kind,target``), or measure data (``measure_id,date,value``). Sheets
whose name starts with ``_`` or is ``About`` are notes and are skipped, and so are empty
sheets. Cells keep their Excel types: a date cell is a date whatever the locale showed.
Errors name the file, the sheet, the row and the column (``model.xlsx sheet 'Measure'
row 7 column D (direction)``). The workbook is read with ``data_only``: a formula counts
as the value Excel last calculated.

**Out.** :func:`to_xlsx` writes the graph the same way (one sheet per kind, relations as
an edge list, measure data), so the workbook loads back to the same graph.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .safe import FORMULA_START
from .tabular import ReadOptions, kind_for_name, read_table

if TYPE_CHECKING:
    from ..graph import QMSGraph
    from .readers import _Collector

__all__ = ["read_xlsx", "to_xlsx", "is_note_sheet", "append_row"]

NOTE_SHEETS = {"about", "readme", "read me", "instructions"}
EXCEL_MAX_ROWS = 1_048_576


def is_note_sheet(title: str) -> bool:
    return title.startswith("_") or title.strip().lower() in NOTE_SHEETS




def read_xlsx(path: Path, data: bytes, col: _Collector, opts: ReadOptions) -> None:
    """Every register sheet of a workbook into the collector."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = str(path)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as err:
        hint = " (an old .xls? save it as .xlsx)" if data[:4] == b"\xd0\xcf\x11\xe0" else ""
        col.problem(name, f"cannot read: not an Excel .xlsx workbook{hint} ({err})")
        return
    except (DefusedXmlException, ParseError, ValueError) as err:
        cause = err.__cause__ or err.__context__ or err
        col.problem(name, f"cannot read: refused or malformed workbook XML "
                          f"({type(cause).__name__}: {cause})")
        return
    try:
        _read_sheets(wb, name, col, opts)
    except (DefusedXmlException, ParseError, zipfile.BadZipFile, KeyError) as err:
        col.problem(name, f"cannot read: refused or malformed workbook XML ({err})")
    finally:
        wb.close()


def _read_sheets(wb: Any, name: str, col: _Collector, opts: ReadOptions) -> None:
    registers = 0
    for ws in wb.worksheets:
        if is_note_sheet(ws.title):
            continue
        rows = ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True),
                                                   start=1))
        header: list[Any] | None = None
        for i, r in rows:
            if any(c is not None and str(c).strip() for c in r):
                header, header_row = r, i
                break
        if header is None:
            continue
        registers += 1
        where = f"{name} sheet '{ws.title}'"
        before = len(col.problems)
        read_table(header, rows, source=name, where=where, col=col, opts=opts,
                   kind_hint=kind_for_name(ws.title), letters=True)
        if header_row != 1:  # say where the header really is
            col.problems[before:] = [p.replace(f"{where} row 1", f"{where} row "
                                               f"{header_row}")
                                     for p in col.problems[before:]]
    if registers == 0:
        col.problem(name, "no register in this workbook: every sheet is empty or a note")


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def append_row(ws: Any, values: list[Any]) -> None:
    """A row whose text cells stay text: openpyxl would store ``=...`` as a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def to_xlsx(graph: QMSGraph) -> bytes:
    """The whole graph as a workbook that loads back to the same graph."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from . import fields

    n_edges = sum(1 for _ in graph.edges())
    n_points = sum(len(getattr(n, "data", None) or ()) for n in graph.nodes())
    if max(n_edges, n_points) >= EXCEL_MAX_ROWS:
        from ..errors import ValidationError

        raise ValidationError(f"{n_edges:,} relations and {n_points:,} data points: more "
                              f"rows than an Excel sheet holds ({EXCEL_MAX_ROWS - 1:,}); "
                              "export csv instead", field="format")
    wb = Workbook()
    about = wb.active
    about.title = "About"
    about.append(["qmsgraph export: one sheet per kind of node, the relations in 'edges', "
                  "measure values in 'measure_data'. Load it back with: qmsgraph load "
                  "FILE.xlsx"])
    by_kind: dict[str, list[Any]] = {}
    for n in graph.nodes():
        by_kind.setdefault(n.kind, []).append(n)
    for kind, nodes in by_kind.items():
        ws = wb.create_sheet(kind)
        cols = [c.name for c in fields.columns(kind) if not c.relation]
        ws.append(cols)
        for n in sorted(nodes, key=lambda x: x.id):
            d = n.model_dump(exclude={"provenance", "data"})
            append_row(ws, [_cell(d.get(c)) if d.get(c) not in (None, []) else None
                         for c in cols])
        _style_header(ws, Font)
    ws = wb.create_sheet("edges")
    ws.append(list(fields.EDGE_COLUMNS))
    for e in sorted(graph.edges(), key=lambda e: e.key):
        append_row(ws, [e.source, e.kind, e.target, e.provenance.reason])
    _style_header(ws, Font)
    ws = wb.create_sheet("measure_data")
    ws.append([*fields.DATA_COLUMNS, *fields.DATA_EXTRA_COLUMNS])
    for n in graph.nodes():
        for p in getattr(n, "data", None) or ():
            append_row(ws, [n.id, p.date, p.value, p.denominator, p.rebase])
    for cell in ws["B"][1:]:
        cell.number_format = "yyyy-mm-dd"
    _style_header(ws, Font)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _style_header(ws: Any, font: Any) -> None:
    for cell in ws[1]:
        cell.font = font(bold=True)
    ws.freeze_panes = "A2"
