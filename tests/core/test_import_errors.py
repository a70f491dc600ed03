"""Every kind of bad input gives an error naming file and line/row, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore


@pytest.fixture
def loaded(tmp_path: Path, mini_yaml: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "s.qmsdb")
    load_files(s, [mini_yaml])
    yield s
    s.close()


def _refused(store: SQLiteStore, path: Path, *expected: str) -> ValidationError:
    before = store.graph().copy()
    with pytest.raises(ValidationError) as err:
        load_files(store, [path])
    text = str(err.value) + " | " + " | ".join(err.value.problems)
    for e in expected:
        assert e in text, f"{e!r} not in {text!r}"
    assert store.graph() == before  # in memory
    reopened = SQLiteStore(store.path)
    assert reopened.graph() == before  # on disk
    reopened.close()
    return err.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_kind(loaded, tmp_path):
    p = write(tmp_path, "m.yaml", "nodes:\n  - id: X\n    kind: Goal\n    label: x\n")
    _refused(loaded, p, "m.yaml:2", "unknown node kind 'Goal'")


def test_edge_not_allowed(loaded, tmp_path):
    p = write(tmp_path, "m.yaml", "nodes:\n  - id: T2\n    kind: Team\n    label: Ward 9\n"
              "    serves: purpose\n")
    _refused(loaded, p, "m.yaml:2", "'T2' (Team) -serves-> 'purpose' (Mission) is not allowed")


def test_missing_id(loaded, tmp_path):
    p = write(tmp_path, "m.yaml", "nodes:\n  - kind: Team\n    label: Ward 9\n")
    _refused(loaded, p, "m.yaml:2", "missing id")
    c = write(tmp_path, "projects.csv", "id,label\n,Nameless project\n")
    _refused(loaded, c, "projects.csv row 2", "missing id")


def test_duplicate_id_in_file_and_against_store(loaded, tmp_path):
    p = write(tmp_path, "m.yaml", "nodes:\n  - {id: A, kind: Team, label: a}\n"
              "  - {id: A, kind: Team, label: b}\n")
    _refused(loaded, p, "m.yaml:3", "duplicate id 'A'", "m.yaml:2")
    c = write(tmp_path, "projects.csv", "id,label\nQI-1,Same id as stored\n")
    _refused(loaded, c, "projects.csv row 2", "duplicate id 'QI-1'", "the store already has")


def test_bad_date(loaded, tmp_path):
    c = write(tmp_path, "projects.csv", "id,label,start_date\nQI-9,x,2025-13-45\n")
    _refused(loaded, c, "projects.csv row 2", "start_date")
    d = write(tmp_path, "data.csv", "measure_id,date,value\nM1,01/03/2024,5\n")
    _refused(loaded, d, "data.csv row 2", "not an ISO date")
    y = write(tmp_path, "m.yaml", "nodes:\n  - {id: Q, kind: PDSACycle, label: q, "
              "date: 2024-02-30}\n")
    _refused(loaded, y, "m.yaml", "malformed YAML")


def test_bad_number(loaded, tmp_path):
    c = write(tmp_path, "measures.csv", "id,label,measure_type,target\nM9,x,outcome,lots\n")
    _refused(loaded, c, "measures.csv row 2", "target")
    d = write(tmp_path, "data.csv", "measure_id,date,value\nM1,2024-03-01,five\n")
    _refused(loaded, d, "data.csv row 2", "value 'five' is not a number")
    n = write(tmp_path, "data2.csv", "measure_id,date,value\nM1,2024-03-01,nan\n")
    _refused(loaded, n, "data2.csv row 2", "not a finite number")


def test_malformed_yaml(loaded, tmp_path):
    p = write(tmp_path, "m.yaml", "nodes:\n  - id: A\n    kind: Team\n   label: [unclosed\n")
    _refused(loaded, p, "m.yaml:", "malformed YAML")
    p2 = write(tmp_path, "m2.yaml", "nodes:\n  - id: A\n    id: B\n    kind: Team\n")
    _refused(loaded, p2, "m2.yaml:3", "duplicate key 'id'")


def test_malformed_csv(loaded, tmp_path):
    c = write(tmp_path, "projects.csv", 'id,label\nQI-9,"unterminated\n')
    _refused(loaded, c, "projects.csv", "malformed CSV")
    c2 = write(tmp_path, "projects2.csv", "id,label\nQI-9,a,extra\n")
    _refused(loaded, c2, "projects2.csv row 2", "has 3 fields, the header has 2")
    c3 = write(tmp_path, "things.csv", "id,label\nX,y\n")
    _refused(loaded, c3, "things.csv row 1", "cannot tell what this register lists")


def test_malformed_turtle(loaded, tmp_path):
    t = write(tmp_path, "m.ttl", "@prefix qms: <https://w3id.org/qmsgraph/ontology#> .\n"
              "<https://w3id.org/qmsgraph/id/node/X> a qms:Team ;\n  qms:label \"x\n")
    _refused(loaded, t, "m.ttl", "malformed turtle")


def test_many_problems_reported_together(loaded, tmp_path):
    c = write(tmp_path, "projects.csv",
              "id,label,status,improves\nQI-a,a,running,M1\nQI-b,b,active,NOPE\n")
    err = _refused(loaded, c, "projects.csv row 2", "status", "projects.csv row 3", "NOPE")
    assert len(err.problems) == 2


def test_a_good_csv_and_data_load_together(loaded, tmp_path):
    c = write(tmp_path, "measures.csv",
              "id,label,measure_type,direction,owned_by,indicates,quality_domains\n"
              "M2,Pressure ulcers,outcome,decrease,ward-7,O1,safe;effective\n")
    d = write(tmp_path, "data.csv", "measure_id,date,value\nM2,2024-01-01,3\n"
              "M2,2024-02-01,4\nM1,2024-03-01,5.5\n")
    load_files(loaded, [c, d])
    g = loaded.graph()
    assert [p.value for p in g.node("M2").data] == [3.0, 4.0]
    assert g.node("M2").quality_domains == ["safe", "effective"]
    assert [p.value for p in g.node("M1").data] == [6.1, 5.9, 5.5]  # stored measure extended
    assert g.has_edge("ward-7", "owns", "M2")
    assert g.node("M2").provenance.location == "row 2"


def test_declared_priority_column_is_alignsto(loaded, tmp_path):
    c = write(tmp_path, "projects.csv", "id,label,improves,declared_priority\nQI-2,x,M1,G1\n")
    load_files(loaded, [c])
    assert loaded.graph().has_edge("QI-2", "alignsTo", "G1")
