"""``qmsgraph template model.xlsx``: an empty workbook a planner can fill in and load.

One sheet per kind of node with the documented columns (:mod:`qmsgraph.io.fields`), a
note on each header cell saying what goes there, and drop-down lists for named values
(status, tier, measure type, direction, process type, quality domains ...). Relations go
in the relation columns of each sheet (ids separated by ``;``) or in the ``edges`` sheet;
measure values in ``measure_data``. Notes sheets (``About``, ``_lists``) are skipped when
the workbook is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import schema
from ..model import NODE_CLASSES
from . import fields

__all__ = ["write_template", "template_bytes", "ROWS"]

ROWS = 500  # rows that carry the drop-downs and checks
LISTS = "_lists"

ABOUT = [
    "qmsgraph register workbook",
    "",
    "Fill in one sheet per kind of thing: goals on StrategicGoal, projects on "
    "ImprovementProject, measures on Measure, and so on. Leave sheets you do not need empty.",
    "Every row needs an id (letters, digits and _ . : -, unique in the whole model) and a "
    "label. Hover over a column heading to see what goes there.",
    "Named values (status, tier, measure type, direction ...) have drop-down lists.",
    "Several values or ids in one cell are separated by ;  for example  safe;timely",
    "Relation columns hold the ids of other rows: on ImprovementProject, 'improves' lists "
    "the measures the project improves, 'led_by' the team or person that leads it.",
    "Relations can also go in the 'edges' sheet (source, kind, target, reason), and "
    "measure values in 'measure_data' (measure_id, date, value; one row per month).",
    "Dates: type them as dates (Excel shows them in your locale) or as 2025-10-01.",
    "Then: qmsgraph load model.xlsx   (all sheets in one transaction: every problem is "
    "listed with its sheet, row and column, and nothing is written until all are fixed)",
    "Then: qmsgraph audit",
    "Column reference: docs/formats.md ('Columns per kind').",
]


def _lists(wb: Any) -> dict[tuple[str, ...], str]:
    """A hidden sheet with one column per list of named values; returns range formulas."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(LISTS)
    ws.sheet_state = "hidden"
    ranges: dict[tuple[str, ...], str] = {}
    wanted: list[tuple[str, tuple[str, ...]]] = [("edge kinds", tuple(schema.EDGE_KINDS))]
    for kind in NODE_CLASSES:
        for c in fields.columns(kind):
            if c.allowed and all(c.allowed != a for _, a in wanted):
                wanted.append((c.name, c.allowed))
    for j, (title, values) in enumerate(wanted, start=1):
        letter = get_column_letter(j)
        ws.cell(row=1, column=j, value=title)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=v)
        ranges[values] = f"'{LISTS}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _header(ws: Any, cols: list[fields.Column]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="DCE6F2")
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=j, value=c.name)
        cell.font = Font(bold=True)
        cell.fill = fill
        note = c.help or c.type
        if c.allowed:
            note += f" Values: {', '.join(c.allowed)}."
            if c.multi:
                note += " Several: separate with ;"
        if c.required:
            note += " Required."
        cell.comment = Comment(note.strip(), "qmsgraph", width=300, height=120)
        ws.column_dimensions[cell.column_letter].width = max(12, min(40, len(c.name) + 6))
    ws.freeze_panes = "A2"


def _validate(ws: Any, cols: list[fields.Column], ranges: dict[tuple[str, ...], str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    for j, c in enumerate(cols, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        area = f"{letter}2:{letter}{ROWS + 1}"
        dv = None
        if c.allowed and not c.multi:
            dv = DataValidation(type="list", formula1=ranges[c.allowed], allow_blank=True,
                                showErrorMessage=True, errorTitle=c.name,
                                error=f"Choose one of: {', '.join(c.allowed)}")
        elif c.allowed and c.multi:
            # Several values in one cell: a list would refuse 'safe;timely', so the list is
            # offered and a warning (not a stop) shown for combinations.
            dv = DataValidation(type="list", formula1=ranges[c.allowed], allow_blank=True,
                                showErrorMessage=True, errorStyle="warning",
                                errorTitle=c.name,
                                error="Several values are fine if separated by ; "
                                      f"({', '.join(c.allowed)})")
        elif c.type == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1",
                                allow_blank=True, showErrorMessage=True, errorTitle=c.name,
                                error="A date, for example 2025-10-01")
        elif c.type == "number":
            dv = DataValidation(type="decimal", operator="between", formula1="-1E+300",
                                formula2="1E+300", allow_blank=True, showErrorMessage=True,
                                errorTitle=c.name, error="A number")
        if dv is not None:
            dv.promptTitle = c.name
            dv.prompt = (c.help or c.type)[:250]
            dv.showInputMessage = True
            dv.add(area)
            ws.add_data_validation(dv)
        if c.type == "date":
            for row in ws.iter_rows(min_row=2, max_row=ROWS + 1, min_col=j, max_col=j):
                row[0].number_format = "yyyy-mm-dd"


def template_bytes() -> bytes:
    """The empty register workbook."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = "About"
    for i, line in enumerate(ABOUT, start=1):
        about.cell(row=i, column=1, value=line)
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 120
    ranges = _lists(wb)
    for kind in NODE_CLASSES:
        ws = wb.create_sheet(kind)
        cols = list(fields.columns(kind))
        _header(ws, cols)
        _validate(ws, cols, ranges)
    edge_cols = [fields.Column("source", "id", required=True, help="Id of the node the "
                               "relation starts from."),
                 fields.Column("kind", "text", tuple(schema.EDGE_KINDS), required=True,
                               help="The relation (docs/formats.md)."),
                 fields.Column("target", "id", required=True, help="Id of the node it "
                               "points to."),
                 fields.Column("reason", "text", help="Why (kept in the provenance).")]
    data_cols = [fields.Column("measure_id", "id", required=True, help="Id of a Measure."),
                 fields.Column("date", "date", required=True, help="Start of the period."),
                 fields.Column("value", "number", required=True, help="The value (for a p or "
                               "u chart measure: the count, out of the denominator)."),
                 fields.Column("denominator", "number", help="For p and u chart measures: "
                               "what the value is out of."),
                 fields.Column("rebase", "text", help="Why a new centre line and limits "
                               "start at this point (a recorded change).")]
    for title, cols in (("edges", edge_cols), ("measure_data", data_cols)):
        ws = wb.create_sheet(title)
        _header(ws, cols)
        _validate(ws, cols, ranges)
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_template(path: Path) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path}: the template is an Excel workbook; name it *.xlsx")
    path.write_bytes(template_bytes())
    return path
