"""Import (JSON and multipart, dry run, all-or-nothing) and export (every format)."""

from __future__ import annotations

import json

import pytest
import yaml
from fastapi.testclient import TestClient

MODEL = """qmsgraph: 1
nodes:
  - id: G2
    kind: StrategicGoal
    label: Better staff experience
    serves: purpose
  - id: M2
    kind: Measure
    label: Staff survey engagement
    measure_type: outcome
    indicates: G2
"""
PROJECTS = """id,label,status,improves,led_by
QI-2,Engagement huddles,active,M2,ward-7
"""
DATA = """measure_id,date,value
M2,2024-01-01,6.5
M2,2024-02-01,6.7
"""


def files(**named: str) -> list[dict[str, str]]:
    return [{"name": k.replace("__", "."), "content": v} for k, v in named.items()]


def count(client: TestClient, viewer) -> int:
    return client.get("/nodes", headers=viewer).json()["total"]


def test_json_import_writes_everything_with_provenance(client: TestClient, planner, viewer):
    body = {"files": files(model__yaml=MODEL, projects__csv=PROJECTS, data__csv=DATA),
            "reason": "2025 plan"}
    r = client.post("/import", headers=planner, json=body)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["valid"] and not rep["dry_run"]
    assert rep["nodes_added"] == 3 and rep["edges_added"] == 4
    # One import is one write: every node it adds gets the same new version.
    assert set(rep["versions"]) == {"G2", "M2", "QI-2"}
    assert len(set(rep["versions"].values())) == 1
    r2 = client.get("/nodes/M2", headers=viewer)
    assert r2.headers["ETag"].strip('W/"') == str(rep["versions"]["M2"])
    m2 = r2.json()
    assert len(m2["data"]) == 2
    prov = m2["provenance"]
    assert prov["source"] == "model.yaml" and prov["agent"] == "planner-key"
    assert prov["reason"] == "2025 plan"


def test_dry_run_reports_and_writes_nothing(client: TestClient, planner, viewer):
    before = count(client, viewer)
    ok = client.post("/import", headers=planner,
                     json={"files": files(model__yaml=MODEL), "dry_run": True})
    assert ok.status_code == 200 and ok.json()["valid"] and ok.json()["nodes_added"] == 2
    assert ok.json()["versions"] == {}
    bad = client.post("/import", headers=planner, json={
        "files": files(model__yaml=MODEL, projects__csv=PROJECTS + "QI-3,Bad,weird,M2,x\n"),
        "dry_run": True})
    assert bad.status_code == 200
    rep = bad.json()
    assert not rep["valid"] and rep["problems"]
    assert any("projects.csv row 3" in p for p in rep["problems"])
    assert count(client, viewer) == before


def test_bad_import_is_422_naming_file_and_row_and_writes_nothing(client: TestClient,
                                                                  planner, viewer):
    before = count(client, viewer)
    bad_csv = PROJECTS + "QI-3,Bad,weird,M2,ward-7\n"
    r = client.post("/import", headers=planner,
                    json={"files": files(model__yaml=MODEL, projects__csv=bad_csv)})
    assert r.status_code == 422
    p = r.json()
    assert any(e["location"] == "projects.csv row 3 column 'status'" for e in p["errors"]), p
    assert count(client, viewer) == before
    r = client.post("/import", headers=planner,
                    json={"files": files(model__yaml="nodes:\n  - id: [unclosed\n")})
    assert r.status_code == 422 and "model.yaml" in r.json()["detail"]


def test_import_modes_and_names(client: TestClient, planner, viewer):
    again = "nodes:\n  - {id: G1, kind: StrategicGoal, label: Reduce harm, status: active}\n"
    r = client.post("/import", headers=planner, json={"files": files(g__yaml=again)})
    assert r.status_code == 422 and "duplicate id" in r.json()["detail"]
    r = client.post("/import", headers=planner,
                    json={"files": files(g__yaml=again), "mode": "upsert"})
    assert r.status_code == 200 and r.json()["nodes_updated"] == 1
    assert client.get("/nodes/G1", headers=viewer).json()["label"] == "Reduce harm"
    r = client.post("/import", headers=planner,
                    json={"files": [{"name": "a.yaml", "content": MODEL}] * 2})
    assert r.status_code == 422 and r.json()["field"] == "files"
    r = client.post("/import", headers=planner,
                    json={"files": [{"name": "../../etc/x.yaml", "content": MODEL}]})
    assert r.status_code == 422
    r = client.post("/import", headers=planner,
                    json={"files": [{"name": "notes.docx", "content": "hello"}]})
    assert r.status_code == 422 and "unknown file type" in r.json()["detail"]


def test_turtle_round_trip(client: TestClient, planner, viewer):
    ttl = client.get("/export/ttl", headers=viewer).text
    model = client.get("/export/yaml", headers=viewer).text
    # a fresh id space: rename via YAML is simplest; check RDF parses as an import (dry run)
    r = client.post("/import", headers=planner, json={
        "files": [{"name": "graph.ttl", "content": ttl}], "mode": "upsert", "dry_run": True})
    assert r.status_code == 200 and r.json()["valid"], r.json()
    assert r.json()["nodes_updated"] == 12
    assert yaml.safe_load(model)["nodes"]


def test_multipart_upload(client: TestClient, planner, viewer):
    r = client.post("/import/upload", headers=planner,
                    files=[("files", ("model.yaml", MODEL, "application/yaml")),
                           ("files", ("projects.csv", PROJECTS, "text/csv"))],
                    data={"dry_run": "true", "reason": "check"})
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] and r.json()["nodes_added"] == 3
    r = client.post("/import/upload", headers=planner,
                    files=[("files", ("model.yaml", MODEL, "application/yaml"))])
    assert r.status_code == 200 and not r.json()["dry_run"]
    assert client.get("/nodes/G2", headers=viewer).status_code == 200
    r = client.post("/import/upload", headers=planner,
                    files=[("files", ("x.yaml", b"\xff\xfe", "application/yaml"))])
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"]
    r = client.post("/import/upload", headers=planner,
                    files=[("files", ("x.yaml", MODEL, "application/yaml"))],
                    data={"mode": "replace-all"})
    assert r.status_code == 422 and r.json()["field"] == "mode"
    r = client.post("/import/upload", headers=planner, files=[("mode", (None, "add"))])
    assert r.status_code == 422 and r.json()["field"] == "files"
    r = client.post("/import/upload", headers=planner, data={"mode": "add"})  # not multipart
    assert r.status_code == 415
    r = client.post("/import/upload", headers=planner, json={"files": []})
    assert r.status_code == 415


@pytest.mark.parametrize(("fmt", "media"), [
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
    ("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml"),
    ("cyjs", "application/json"), ("yaml", "application/yaml")])
def test_export_formats(client: TestClient, viewer, fmt, media):
    r = client.get(f"/export/{fmt}", headers=viewer)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert f'filename="qmsgraph.{fmt}"' in r.headers["content-disposition"]
    text = r.text
    if fmt == "jsonld":
        json.loads(text)
    elif fmt == "yaml":
        assert len(yaml.safe_load(text)["nodes"]) == 12
    elif fmt in ("graphml", "gexf"):
        assert text.lstrip().startswith("<?xml") and f"<{fmt}" in text
    elif fmt == "cyjs":
        assert len(json.loads(text)["elements"]["nodes"]) == 12
    else:
        assert "Reduce avoidable harm" in text


def test_export_unknown_format(client: TestClient, viewer):
    r = client.get("/export/pdf", headers=viewer)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


def test_upload_takes_excel_files_as_excel_saves_them(client: TestClient, planner, viewer):
    """An .xlsx workbook (saved by LibreOffice) and a CSV in Windows-1252 with a BOM-less
    pound sign, uploaded as they are: read like files on disk, in one transaction."""
    from pathlib import Path

    data = Path(__file__).parents[1] / "data"
    workbook = (data / "libreoffice_projects.xlsx").read_bytes()
    csv = ("id,kind,label\nG-UP,StrategicGoal,Spend \u00a3 where it counts\n").encode("cp1252")
    r = client.post("/import/upload", headers=planner, data={"reason": "from Excel"},
                    files=[("files", ("projects.xlsx", workbook, "application/vnd."
                                      "openxmlformats-officedocument.spreadsheetml.sheet")),
                           ("files", ("goals.csv", csv, "text/csv"))])
    assert r.status_code == 200, r.text
    assert r.json()["nodes_added"] == 3
    assert client.get("/nodes/QI-30", headers=viewer).json()["start_date"] == "2025-04-01"
    assert client.get("/nodes/G-UP", headers=viewer).json()["label"] == \
        "Spend \u00a3 where it counts"
    r = client.post("/import/upload", headers=planner,
                    files=[("files", ("broken.xlsx", b"PK\x03\x04 not a workbook", "x"))])
    assert r.status_code == 422 and "broken.xlsx" in r.json()["detail"], r.text
    assert client.get("/nodes/QI-31", headers=viewer).status_code == 200
