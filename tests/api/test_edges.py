"""Edges over HTTP: filters, create (ontology-checked), read, replace, delete."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_list_and_filters(client: TestClient, viewer):
    r = client.get("/edges", headers=viewer)
    assert r.status_code == 200
    items = r.json()["items"]
    assert r.json()["total"] == len(items) == 16
    keys = [(e["source"], e["kind"], e["target"]) for e in items]
    assert keys == sorted(keys)
    r = client.get("/edges", headers=viewer, params={"kind": "unitOf"})
    assert [(e["source"], e["target"]) for e in r.json()["items"]] == [
        ("med", "board"), ("ward-7", "med")]
    r = client.get("/edges", headers=viewer, params={"target": "M1"})
    assert {e["kind"] for e in r.json()["items"]} == {"owns", "monitors", "improves"}
    r = client.get("/edges", headers=viewer, params={"node": "M1", "kind": "indicates"})
    assert r.json()["total"] == 1
    r = client.get("/edges", headers=viewer, params={"source": "ward-7", "target": "M1"})
    assert {e["kind"] for e in r.json()["items"]} == {"owns", "monitors"}
    r = client.get("/edges", headers=viewer, params={"limit": 2, "offset": 15})
    assert r.json()["total"] == 16 and len(r.json()["items"]) == 1
    assert client.get("/edges", headers=viewer, params={"node": "nope"}).json()["total"] == 0


def test_read_edge_has_provenance(client: TestClient, viewer):
    r = client.get("/edges/ward-7/monitors/M1", headers=viewer)
    assert r.status_code == 200
    assert r.json()["provenance"]["reason"] == "daily safety huddle"
    assert client.get("/edges/ward-7/owns/G1", headers=viewer).status_code == 404
    assert client.get("/edges/ward-7/likes/M1", headers=viewer).status_code == 422


def test_create_checks_the_ontology(client: TestClient, planner):
    r = client.post("/edges", headers=planner,
                    json={"source": "M1", "kind": "indicates", "target": "G1",
                          "reason": "board decision"})
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/edges/M1/indicates/G1"
    prov = r.json()["provenance"]
    assert prov["agent"] == "planner-key" and prov["reason"] == "board decision"
    again = client.post("/edges", headers=planner,
                        json={"source": "M1", "kind": "indicates", "target": "G1"})
    assert again.status_code == 409
    r = client.post("/edges", headers=planner,
                    json={"source": "G1", "kind": "indicates", "target": "M1"})
    assert r.status_code == 422 and "not allowed" in r.json()["detail"]
    r = client.post("/edges", headers=planner,
                    json={"source": "M1", "kind": "indicates", "target": "ghost"})
    assert r.status_code == 422 and "does not exist" in r.json()["detail"]
    r = client.post("/edges", headers=planner,
                    json={"source": "M1", "kind": "likes", "target": "G1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.kind"


def test_put_creates_or_replaces(client: TestClient, planner, viewer):
    r = client.put("/edges/M1/indicates/G1", headers=planner, json={"reason": "new"})
    assert r.status_code == 201
    r = client.put("/edges/ward-7/monitors/M1", headers={**planner, "X-Change-Reason": "x"},
                   json={})
    assert r.status_code == 200
    prov = client.get("/edges/ward-7/monitors/M1", headers=viewer).json()["provenance"]
    assert prov["source"] == "api" and prov["reason"] == "x"
    assert client.get("/edges", headers=viewer).json()["total"] == 17
    r = client.put("/edges/G1/indicates/M1", headers=planner, json={})
    assert r.status_code == 422


def test_delete(client: TestClient, planner, viewer):
    assert client.delete("/edges/ward-7/monitors/M1", headers=planner).status_code == 204
    assert client.get("/edges/ward-7/monitors/M1", headers=viewer).status_code == 404
    assert client.delete("/edges/ward-7/monitors/M1", headers=planner).status_code == 404
