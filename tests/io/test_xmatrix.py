"""The strategy-deployment workbook: X-matrix laid out around a centre X, findings, gaps."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from qmsgraph.cli import app, example_files
from qmsgraph.io.readers import load_files
from qmsgraph.io.xmatrix import DECLARED_MARK, THREAD_MARK, xmatrix_workbook
from qmsgraph.stores import SQLiteStore


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("xm") / "ex.qmsdb"
    s = SQLiteStore(path)
    load_files(s, example_files())
    g, xm, rep = s.graph(), s.matrix(), s.audit()
    s.close()
    wb = load_workbook(io.BytesIO(xmatrix_workbook(g, xm, rep)))
    return g, xm, rep, wb, path


def positions(ws):
    """Where each list item sits: rows for north/south bands, columns for west/east."""
    rows, cols = {}, {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and "  " in c.value:
                ident = c.value.split("  ")[0]
                if c.alignment.text_rotation == 90:
                    cols[ident] = c.column
                else:
                    rows[ident] = c.row
    return rows, cols


def test_layout_and_corner_marks(built):
    g, xm, rep, wb, _ = built
    ws = wb["X-matrix"]
    rows, cols = positions(ws)
    projects = [p["id"] for p in xm.projects]
    goals = [d["id"] for d in xm.goals]
    assert set(projects) | set(goals) <= set(rows)
    # north above south, west left of east, the X in between
    assert max(rows[p] for p in projects) < min(rows[gl] for gl in goals)
    objectives = [n.id for n in g.nodes("Objective")]
    measures = [m["id"] for m in xm.measures]
    assert max(cols[o] for o in objectives) < min(cols[m] for m in measures)
    centre = [c for row in ws.iter_rows() for c in row if c.value == "X"]
    assert len(centre) == 1 and centre[0].border.diagonalUp and centre[0].border.diagonalDown
    live = set(projects)
    checked = 0
    for e in g.edges():
        if e.kind == "improves" and e.source in live and e.target in cols:
            assert ws.cell(row=rows[e.source], column=cols[e.target]).value == THREAD_MARK
            checked += 1
        if e.kind == "indicates" and e.target in rows and e.source in cols:
            assert ws.cell(row=rows[e.target], column=cols[e.source]).value == THREAD_MARK
            checked += 1
        if e.kind == "contributesTo" and e.target in rows and e.source in cols:
            assert ws.cell(row=rows[e.target], column=cols[e.source]).value == THREAD_MARK
            checked += 1
    assert checked > 50
    marks = [c.value for row in ws.iter_rows() for c in row if c.value in (THREAD_MARK,
                                                                          DECLARED_MARK)]
    assert marks.count(THREAD_MARK) > checked / 2


def test_findings_and_gaps_sheets(built):
    _, xm, rep, wb, _ = built
    f = wb["Findings"]
    assert [c.value for c in f[2]][:3] == ["severity", "rule", "node"]
    assert f.max_row - 2 == len(rep.findings)
    assert f["A3"].value == "error"  # errors first
    gaps = wb["Gaps"]
    assert gaps.max_row - 1 == sum(len(v) for v in xm.gaps.values())


def test_cli_xmatrix(built, tmp_path):
    *_, path = built
    out = tmp_path / "board.xlsx"
    r = CliRunner().invoke(app, ["xmatrix", "-o", str(out), "--store", str(path)])
    assert r.exit_code == 0, r.output
    assert load_workbook(out).sheetnames == ["X-matrix", "Findings", "Gaps"]
    r = CliRunner().invoke(app, ["xmatrix", "-o", str(out), "--store",
                                 str(tmp_path / "missing.qmsdb")])
    assert r.exit_code == 1
