"""Excel workbooks in: real .xlsx files (typed cells, several sheets), one transaction with
the other files of a load, errors naming file, sheet, row and column; the template."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook, load_workbook

from qmsgraph.io.readers import load_files
from qmsgraph.io.template import ROWS, template_bytes

from .conftest import refused


def planner_workbook(path: Path, *, bad: bool = False) -> Path:
    """A workbook as a planner keeps it: a title row, typed dates and numbers, a sheet per
    register, a notes sheet, a mixed sheet with a kind column."""
    wb = Workbook()
    notes = wb.active
    notes.title = "About"
    notes.append(["Northvale QI register, exported from the hub's tracker, Oct 2025"])
    goals = wb.create_sheet("Strategic goals")
    goals.append(["ID", "Label", "Status", "Target", "Deadline", "Quality domains", "Serves"])
    goals.append(["G9", "Zero never events", "Active", 0, dt.datetime(2027, 3, 31), "safe",
                  "purpose"])
    projects = wb.create_sheet("Improvement projects")
    projects.append(["id", "label", "status", "tier", "start_date", "end_date", "led_by",
                     "improves", "declared_priority"])
    projects.append(["QI-20", "Sepsis six within the hour", "active", "project",
                     dt.date(2025, 4, 1), dt.date(2026, 3, 31), "ward-7", "M20", "G9"])
    projects.append([None] * 9)  # a blank row Excel leaves behind
    projects.append(["QI-21", "Discharge before noon", "proposed", "directorate",
                     "2025-10-01" if not bad else "next spring", None, "med", "M20", "G1"])
    mixed = wb.create_sheet("Other things")
    mixed.append(["kind", "id", "label", "measure_type", "direction", "indicates"])
    mixed.append(["Measure", "M20", "Sepsis antibiotics within 1 hour", "process",
                  "increase", "G9"])
    data = wb.create_sheet("Sepsis data")
    data.append(["measure_id", "date", "value"])
    for i in range(6):
        data.append(["M20", dt.datetime(2025, 4 + i, 1), 70.0 + i])
    wb.save(path)
    return path


def test_real_workbook_loads_in_one_transaction(loaded, tmp_path):
    p = planner_workbook(tmp_path / "register.xlsx")
    r = load_files(loaded, [p])
    g = loaded.view()
    assert r.nodes_added == 4
    assert g.node("G9").deadline == dt.date(2027, 3, 31)
    assert g.node("QI-20").start_date == dt.date(2025, 4, 1)
    assert g.node("QI-21").start_date == dt.date(2025, 10, 1)
    assert g.node("QI-21").tier == "directorate"
    assert [p.value for p in g.node("M20").data] == [70, 71, 72, 73, 74, 75]
    assert g.has_edge("QI-20", "improves", "M20") and g.has_edge("M20", "indicates", "G9")
    assert g.has_edge("ward-7", "leads", "QI-20")
    assert loaded.thread("QI-20").broken is False


def test_bad_cell_names_file_sheet_row_column(loaded, tmp_path):
    p = planner_workbook(tmp_path / "register.xlsx", bad=True)
    refused(loaded, [p], "register.xlsx sheet 'Improvement projects' row 4 column E "
            "(start_date): 'next spring' is not a date")


def test_workbook_and_yaml_are_one_transaction(loaded, tmp_path):
    p = planner_workbook(tmp_path / "register.xlsx")
    y = tmp_path / "more.yaml"
    y.write_text("nodes:\n  - id: T9\n    kind: Team\n    label: Ward 9\n    unitOf: nowhere\n",
                 encoding="utf-8")
    refused(loaded, [p, y], "more.yaml:2", "'nowhere' does not exist")
    assert loaded.view().get("G9") is None  # the good workbook was not half-loaded


def test_errors_across_sheets_are_all_reported(loaded, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Measure"
    ws.append(["id", "label", "measure_type", "direction", "unitOfMeasure"])
    ws.append(["M30", "x", "outcome", "down", "%"])
    ws2 = wb.create_sheet("Team")
    ws2.append(["id", "label", "unitOf"])
    ws2.append(["T30", None, "med"])
    p = tmp_path / "bad.xlsx"
    wb.save(p)
    err = refused(loaded, [p], "bad.xlsx sheet 'Measure' row 1 column E (unitOfMeasure): "
                  "unknown column 'unitOfMeasure' for Measure", "the column is "
                  "'unit_of_measure'")
    p2 = tmp_path / "bad2.xlsx"
    ws.delete_cols(5)
    wb.save(p2)
    err = refused(loaded, [p2], "sheet 'Measure' row 2 column D (direction): 'down' is not "
                  "one of increase, decrease, neutral", "sheet 'Team' row 2", "label")
    assert len(err.problems) == 2


def test_not_a_workbook(loaded, tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_text("id,label\n", encoding="utf-8")
    refused(loaded, [p], "fake.xlsx: cannot read: not an Excel .xlsx workbook")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    refused(loaded, [old], "old.xls", "save it as .xlsx")


def test_sheet_that_is_not_a_register(loaded, tmp_path):
    wb = Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Directorate", "RAG"])
    wb.active.append(["Medicine", "Amber"])
    p = tmp_path / "ipr.xlsx"
    wb.save(p)
    refused(loaded, [p], "ipr.xlsx sheet 'Summary' row 1", "cannot tell what this register "
            "lists")


def test_template_has_sheets_columns_and_dropdowns(tmp_path):
    wb = load_workbook(io.BytesIO(template_bytes()))
    assert {"About", "StrategicGoal", "ImprovementProject", "Measure", "Team", "edges",
            "measure_data"} <= set(wb.sheetnames)
    ws = wb["Measure"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["id", "label", "description", "measure_type"]
    assert "owned_by" in header and "indicates" in header
    lists = wb["_lists"]
    assert lists.sheet_state == "hidden"
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    col = {name: ws.cell(row=1, column=i + 1).column_letter for i, name in enumerate(header)}
    dv = by_col[col["direction"]]
    assert dv.type == "list" and str(dv.sqref) == f"{col['direction']}2:{col['direction']}" \
        f"{ROWS + 1}"
    sheet, cells = dv.formula1.split("!")
    first, last = cells.replace("$", "").split(":")
    values = [c.value for row in lists[first:last] for c in row]
    assert values == ["increase", "decrease", "neutral"]
    assert by_col[col["target"]].type == "decimal"
    assert ws[f"{col['measure_type']}1"].comment is not None
    goals = wb["StrategicGoal"]
    assert any(dv.type == "date" for dv in goals.data_validations.dataValidation)


def test_template_filled_in_loads(tmp_path, store):
    wb = load_workbook(io.BytesIO(template_bytes()))
    wb["Mission"].append(["purpose", "Healthier lives"])
    wb["StrategicGoal"].append(["G1", "Reduce harm", None, "active", 20,
                                dt.datetime(2027, 3, 31), "safe;timely", None, "purpose"])
    wb["Team"].append(["ward-7", "Ward 7"])
    m = wb["Measure"]
    header = [c.value for c in m[1]]
    row = {"id": "M1", "label": "Falls", "measure_type": "outcome", "direction": "decrease",
           "indicates": "G1", "owned_by": "ward-7"}
    m.append([row.get(h) for h in header])
    p = wb["ImprovementProject"]
    header = [c.value for c in p[1]]
    row = {"id": "QI-1", "label": "Falls project", "improves": "M1", "led_by": "ward-7",
           "start_date": dt.datetime(2025, 1, 6)}
    p.append([row.get(h) for h in header])
    wb["measure_data"].append(["M1", dt.datetime(2025, 1, 1), 6.1])
    wb["edges"].append(["ward-7", "monitors", "M1", "daily huddle"])
    path = tmp_path / "model.xlsx"
    wb.save(path)
    r = load_files(store, [path])
    assert (r.nodes_added, r.edges_added) == (5, 6)
    g = store.view()
    assert g.node("G1").quality_domains == ["safe", "timely"]
    assert store.thread("QI-1").broken is False
    assert g.node("M1").data[0].value == 6.1


def test_workbook_saved_by_libreoffice(loaded):
    """tests/data/libreoffice_projects.xlsx was written by LibreOffice Calc 7.4 (soffice
    --convert-to xlsx, en-GB) from libreoffice_projects.source.csv: dates are date cells."""
    path = Path(__file__).parents[1] / "data" / "libreoffice_projects.xlsx"
    assert b"LibreOffice" in __import__("zipfile").ZipFile(path).read("docProps/app.xml")
    r = load_files(loaded, [path])
    assert r.nodes_added == 2
    g = loaded.view()
    assert g.node("QI-30").start_date == dt.date(2025, 4, 1)
    assert g.node("QI-31").end_date is None and g.node("QI-31").status == "proposed"
    assert g.has_edge("QI-31", "alignsTo", "G1")


def test_entity_in_workbook_xml_is_refused(loaded, tmp_path):
    """A workbook whose XML declares entities (billion laughs, XXE) is refused, not read."""
    import zipfile

    good = planner_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                assert data.startswith(b"<worksheet")
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            zout.writestr(item, data)
    refused(loaded, [bad], "bad.xlsx: cannot read: refused or malformed workbook XML",
            "EntitiesForbidden")
