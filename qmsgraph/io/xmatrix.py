"""The strategy-deployment workbook: the X-matrix drawn as Hoshin teams draw it, the audit
findings and the gaps, in one .xlsx (``qmsgraph xmatrix -o board.xlsx``).

The X-matrix sheet puts four lists around a centre square marked with an X:

* **south**: strategic goals (the breakthrough objectives), one row each;
* **west**: objectives (this year's objectives), one column each, written upwards;
* **north**: live improvement projects (the priorities), one row each;
* **east**: measures (the metrics to improve), one column each, written upwards;

and the four corners say how they connect: projects x objectives (north-west), projects
x measures (north-east), goals x objectives (south-west), goals x measures (south-east).
A filled dot is a golden thread found in the graph; an open dot is a link declared
(``alignsTo``) that no thread evidences. Reach follows the thread relations only, as the
audit does.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from .. import schema
from .xlsx import append_row

if TYPE_CHECKING:
    from ..alignment import AuditReport, XMatrix
    from ..graph import QMSGraph

__all__ = ["xmatrix_workbook", "THREAD_MARK", "DECLARED_MARK"]

THREAD_MARK = "●"
DECLARED_MARK = "○"
CENTRE = 8  # rows and columns of the centre square


def _reach(graph: QMSGraph) -> tuple[Any, set[tuple[str, str]]]:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(n.id for n in graph.nodes())
    g.add_edges_from((e.source, e.target) for e in graph.edges()
                     if e.kind in schema.THREAD_EDGES)
    declared = {(e.source, e.target) for e in graph.edges("alignsTo")}
    return g, declared


def xmatrix_workbook(graph: QMSGraph, xm: XMatrix, report: AuditReport) -> bytes:
    """The workbook (bytes): sheets X-matrix, Findings, Gaps."""
    import networkx as nx
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    g, declared = _reach(graph)
    desc: dict[str, set[str]] = {}

    def reaches(a: str, b: str) -> bool:
        if a not in desc:
            desc[a] = nx.descendants(g, a) if a in g else set()
        return b in desc[a]

    def mark(a: str, b: str) -> str | None:
        if reaches(a, b):
            return THREAD_MARK
        return DECLARED_MARK if (a, b) in declared else None

    goals = [d["id"] for d in xm.goals]
    projects = [d["id"] for d in xm.projects]
    measures = [d["id"] for d in xm.measures]
    objectives = sorted(n.id for n in graph.nodes("Objective"))
    label = {n.id: n.label for n in graph.nodes()}

    wb = Workbook()
    ws = wb.active
    ws.title = "X-matrix"
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = Font(bold=True)
    fills = {"north": "DCE6F2", "south": "FCE4D6", "west": "E2EFDA", "east": "FFF2CC"}
    top, left = 3, 2  # first grid row and column (row 1: title; column 1: margin)
    w_cols = list(range(left, left + len(objectives)))
    c_cols = list(range(left + len(objectives), left + len(objectives) + CENTRE))
    e_cols = list(range(c_cols[-1] + 1, c_cols[-1] + 1 + len(measures)))
    n_rows = list(range(top, top + len(projects)))
    c_rows = list(range(top + len(projects), top + len(projects) + CENTRE))
    s_rows = list(range(c_rows[-1] + 1, c_rows[-1] + 1 + len(goals)))

    ws.cell(row=1, column=1, value="X-matrix: goals (south), objectives (west), live "
            f"projects (north), measures (east). {THREAD_MARK} golden thread found, "
            f"{DECLARED_MARK} declared only").font = Font(bold=True, size=12)

    def band(rows: list[int], cols: list[int], items: list[str], where: str) -> None:
        vertical = where in ("west", "east")
        for k, item in enumerate(items):
            if vertical:
                ws.merge_cells(start_row=rows[0], end_row=rows[-1], start_column=cols[k],
                               end_column=cols[k])
                cell = ws.cell(row=rows[0], column=cols[k])
                cell.alignment = Alignment(text_rotation=90, wrap_text=True,
                                           vertical="bottom", horizontal="center")
            else:
                ws.merge_cells(start_row=rows[k], end_row=rows[k], start_column=cols[0],
                               end_column=cols[-1])
                cell = ws.cell(row=rows[k], column=cols[0])
                cell.alignment = Alignment(wrap_text=False, vertical="center")
            cell.value = f"{item}  {label.get(item, '')}"
            cell.fill = PatternFill("solid", fgColor=fills[where])
            cell.border = box

    band(n_rows, c_cols, projects, "north")
    band(s_rows, c_cols, goals, "south")
    band(c_rows, w_cols, objectives, "west")
    band(c_rows, e_cols, measures, "east")
    ws.merge_cells(start_row=c_rows[0], end_row=c_rows[-1], start_column=c_cols[0],
                   end_column=c_cols[-1])
    centre = ws.cell(row=c_rows[0], column=c_cols[0], value="X")
    centre.font = Font(bold=True, size=28, color="808080")
    centre.alignment = Alignment(horizontal="center", vertical="center")
    centre.border = Border(diagonal=Side(style="medium"), diagonalUp=True,
                           diagonalDown=True)

    def corner(rows: list[int], row_items: list[str], cols: list[int],
               col_items: list[str], source_is_row: bool) -> int:
        n = 0
        for r, a in zip(rows, row_items, strict=True):
            for c, b in zip(cols, col_items, strict=True):
                m = mark(a, b) if source_is_row else mark(b, a)
                cell = ws.cell(row=r, column=c, value=m)
                cell.alignment = Alignment(horizontal="center", vertical="center")
                cell.border = box
                n += m is not None
        return n

    corner(n_rows, projects, w_cols, objectives, True)    # project -> objective
    corner(n_rows, projects, e_cols, measures, True)      # project -> measure
    corner(s_rows, goals, w_cols, objectives, False)      # objective -> goal
    corner(s_rows, goals, e_cols, measures, False)        # measure -> goal
    for col in (*w_cols, *e_cols):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 3.2
    for col in c_cols:
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 9
    for r in c_rows:
        ws.row_dimensions[r].height = 48
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # prints as one page, as drawn
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.page_setup.orientation = "landscape"

    _findings_sheet(wb, report, head)
    gaps = wb.create_sheet("Gaps")
    append_row(gaps, ["gap", "id", "label"])
    for name, ids in xm.gaps.items():
        for i in ids:
            append_row(gaps, [name.replace("_", " "), i, label.get(i, "")])
    for cell in gaps[1]:
        cell.font = head
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _findings_sheet(wb: Any, report: AuditReport, head: Any) -> None:
    ws = wb.create_sheet("Findings")
    s = report.summary()
    ws.append([f"{s['findings']} findings; live projects: "
               + ", ".join(f"{k} {v}" for k, v in sorted(s["projects"].items()))])
    append_row(ws, ["severity", "rule", "node", "kind", "label", "finding", "evidence"])
    for cell in ws[2]:
        cell.font = head
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(report.findings, key=lambda f: (order[f.severity], f.rule, f.node)):
        ev = f.evidence
        if ev.paths:
            evidence = " -> ".join(st.label for st in ev.paths[0])
        elif ev.last_reached:
            evidence = "thread stops at " + ", ".join(ev.last_reached)
        else:
            evidence = ", ".join(ev.related)
        append_row(ws, [f.severity, f.rule, f.node, f.kind, f.label, f.message, evidence])
    ws.auto_filter.ref = f"A2:G{ws.max_row}"
    ws.freeze_panes = "A3"
    for letter, width in zip("ABCDEFG", (9, 24, 14, 18, 40, 90, 60), strict=True):
        ws.column_dimensions[letter].width = width
