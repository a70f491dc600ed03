"""Column mappings: the worked QI platform export loads into the example organisation;
unmapped columns and unknown values are errors naming the row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app, example_files
from qmsgraph.errors import ValidationError
from qmsgraph.io.mapping import load_mapping
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

EXAMPLE = Path(__file__).parents[2] / "examples" / "mappings"
MAP = EXAMPLE / "qi-project-register.yaml"
EXPORT = EXAMPLE / "qi-project-register.csv"


@pytest.fixture(scope="module")
def org_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("org") / "org.qmsdb"
    s = SQLiteStore(path)
    load_files(s, example_files())
    s.close()
    return path


@pytest.fixture
def org(org_db, tmp_path):
    s = SQLiteStore(org_db)
    dest = tmp_path / "org.qmsdb"
    s.backup(dest)
    s.close()
    s = SQLiteStore(dest)
    yield s
    s.close()


def test_worked_mapping_loads_the_platform_export(org):
    assert EXPORT.read_bytes().startswith(b"\xef\xbb\xbf")  # as the platform saves it
    r = load_files(org, [EXPORT], mapping=load_mapping(MAP))
    assert r.nodes_added == 4
    g = org.view()
    p = g.node("QIP-1043")
    assert (p.status, p.tier, p.start_date, p.end_date) == ("proposed", "directorate",
                                                           dt.date(2026, 1, 12), None)
    assert g.has_edge("QIP-1043", "improves", "M-FRAILTY-CGA")
    assert g.has_edge("QIP-1043", "improves", "M-FALLS")
    assert g.has_edge("QIP-1043", "alignsTo", "G4")
    assert g.node("QIP-1042").status == "paused"
    assert g.node("QIP-1042").label == "Home for lunch – discharge before noon"
    assert g.has_edge("T-AMU", "leads", "QIP-1041")
    assert org.thread("QIP-1041").broken is False


def refused(store, path, mapping, *expected):
    before = store.graph().copy()
    with pytest.raises(ValidationError) as err:
        load_files(store, [path], mapping=mapping)
    text = " | ".join(err.value.problems)
    for e in expected:
        assert e in text, f"{e!r} not in {text!r}"
    assert store.graph() == before


def test_unknown_value_and_unmapped_column_name_the_place(org, tmp_path):
    text = EXPORT.read_text(encoding="utf-8-sig").replace("On Hold", "Parked")
    bad = tmp_path / "export.csv"
    bad.write_text(text, encoding="utf-8")
    refused(org, bad, load_mapping(MAP), "export.csv row 3 column 'Status' (status)",
            "'Parked' is not in the mapping's values")
    extra = tmp_path / "export2.csv"
    lines = EXPORT.read_text(encoding="utf-8-sig").splitlines()
    extra.write_text("\n".join([lines[0] + ",RAG"] + [line + ",Green" for line in lines[1:]]),
                     encoding="utf-8")
    refused(org, extra, load_mapping(MAP), "export2.csv row 1 column 'RAG'",
            "not in the mapping", "list it under 'ignore'")


def test_mapping_to_a_field_the_kind_lacks(org, tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("qmsgraph-mapping: 1\nkind: ImprovementProject\ncolumns:\n  Ref: id\n"
                 "  Name: label\n  Owner: owned_by\n", encoding="utf-8")
    f = tmp_path / "x.csv"
    f.write_text("Ref,Name,Owner\nA1,Thing,T-W7\n", encoding="utf-8")
    refused(org, f, load_mapping(m), "x.csv row 1 column 'Owner'",
            "unknown column 'owned_by' for ImprovementProject")


def test_bad_mapping_file(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("qmsgraph-mapping: 1\nkind: Project\ncolumns:\n  A: {feild: id}\n",
                 encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_mapping(m)
    assert "m.yaml" in str(err.value) and "unknown node kind 'Project'" in str(err.value)
    assert "feild" in str(err.value)


def test_mapping_applies_to_excel_too(org, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(["Project ID", "Project Title", "Status", "Start Date", "Lead Team Code"])
    ws.append([2001, "Hand hygiene", "Active", dt.datetime(2025, 5, 1), "T-W9"])
    path = tmp_path / "platform.xlsx"
    wb.save(path)
    m = tmp_path / "m.yaml"
    m.write_text(MAP.read_text(encoding="utf-8") + "unmapped: ignore\n", encoding="utf-8")
    load_files(org, [path], mapping=load_mapping(m))
    assert org.view().node("QIP-2001").start_date == dt.date(2025, 5, 1)


def test_cli_load_with_mapping(org, tmp_path):
    r = CliRunner().invoke(app, ["load", "--mapping", str(MAP), str(EXPORT), "--store",
                                 str(org.path), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "would add 4 nodes" in r.output
