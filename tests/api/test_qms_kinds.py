"""Issue 12 over the API: a tool, a responsibility, a lesson and a learning cycle can be
created (they were 422 before), and the new rules appear in the audit route."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_tools_and_learning_nodes_can_be_posted_and_audited(client: TestClient, planner,
                                                            viewer):
    for body in ({"id": "TL-VMB", "kind": "ControlTool", "label": "Visual management board",
                  "frequency": "daily"},
                 {"id": "TL-ANY", "kind": "Tool", "label": "A tool of no stated aspect"},
                 {"id": "RS-1", "kind": "Responsibility", "label": "monitor performance",
                  "aspect": "control"},
                 {"id": "LC-1", "kind": "LearningCycle", "label": "90-day cycle",
                  "phase": "scan", "question": "What does good look like?"},
                 {"id": "FB-X", "kind": "FeedbackSource", "label": "Carers' forum"}):
        r = client.post("/nodes", headers=planner, json=body)
        assert r.status_code == 201, r.text
    r = client.post("/edges", headers=planner,
                    json={"source": "ward-7", "kind": "uses", "target": "TL-VMB"})
    assert r.status_code == 201, r.text
    bad = client.post("/nodes", headers=planner, json={
        "id": "RS-2", "kind": "Responsibility", "label": "x", "aspect": "wishing"})
    assert bad.status_code == 422 and "aspect" in bad.text
    body = client.get("/alignment/audit", headers=viewer).json()
    nodes = {(f["rule"], f["node"]) for f in body["findings"]}
    assert ("informs-nothing", "FB-X") in nodes and ("informs-nothing", "LC-1") in nodes
    assert not {n for r, n in nodes if n in ("TL-VMB", "TL-ANY", "RS-1")}
