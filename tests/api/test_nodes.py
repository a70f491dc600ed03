"""Nodes over HTTP: filters and paging, create/read/replace/patch/delete, ETags, provenance."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def ids(resp) -> list[str]:
    return [n["id"] for n in resp.json()["items"]]


def test_list_is_sorted_and_paged(client: TestClient, viewer):
    r = client.get("/nodes", headers=viewer)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 12 and body["limit"] == 100 and body["offset"] == 0
    all_ids = ids(r)
    assert all_ids == sorted(all_ids)
    page = client.get("/nodes", headers=viewer, params={"limit": 5, "offset": 5})
    assert ids(page) == all_ids[5:10] and page.json()["total"] == 12
    assert ids(client.get("/nodes", headers=viewer, params={"offset": 50})) == []
    assert all(n["version"] == 1 for n in body["items"])


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "StrategicGoal"}, ["G-old", "G1"]),
    ({"kind": "Purpose"}, ["purpose"]),  # Mission is a Purpose
    ({"kind": "OrganisationalUnit"}, ["board", "med", "ward-7"]),
    ({"kind": "StrategicGoal", "status": "active"}, ["G1"]),
    ({"status": "retired"}, ["G-old"]),
    ({"q": "falls"}, ["M1", "O1", "PR-falls", "QI-1"]),
    ({"q": "ALL HARM"}, ["M1"]),  # description, any case
    ({"q": "ward-"}, ["ward-7"]),  # id
    ({"unit": "ward-7"}, ["M1", "PR-falls", "QI-1"]),
    ({"unit": "board"}, ["M1", "PR-falls", "QI-1"]),  # units below count
    ({"unit": "board", "kind": "Measure"}, ["M1"]),
])
def test_list_filters(client: TestClient, viewer, params, expected):
    r = client.get("/nodes", headers=viewer, params=params)
    assert r.status_code == 200, r.text
    assert ids(r) == expected
    assert r.json()["total"] == len(expected)


def test_unit_filter_counts_work_owned_by_people_in_the_unit(client: TestClient, planner,
                                                             viewer):
    r = client.post("/nodes", headers=planner, json={
        "id": "M2", "kind": "Measure", "label": "Falls with harm", "measure_type": "outcome"})
    assert r.status_code == 201
    assert client.post("/edges", headers=planner, json={
        "source": "dr-a", "kind": "owns", "target": "M2"}).status_code == 201
    assert "M2" in ids(client.get("/nodes", headers=viewer, params={"unit": "med"}))


def test_list_filter_errors(client: TestClient, viewer):
    r = client.get("/nodes", headers=viewer, params={"unit": "nowhere"})
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    r = client.get("/nodes", headers=viewer, params={"unit": "G1"})
    assert r.status_code == 422 and r.json()["field"] == "unit"
    r = client.get("/nodes", headers=viewer, params={"kind": "Unicorn"})
    assert r.status_code == 422 and r.json()["field"] == "query.kind"
    r = client.get("/nodes", headers=viewer, params={"limit": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.limit"


def test_create_read_and_provenance(client: TestClient, planner, viewer):
    body = {"id": "G2", "kind": "StrategicGoal", "label": "Shorter waits", "status": "active",
            "target": 18, "deadline": "2027-03-31", "quality_domains": ["timely"]}
    r = client.post("/nodes", headers={**planner, "X-Change-Reason": "planning round"},
                    json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["etag"] == f'"{created["version"]}"' and created["version"] > 1
    assert r.headers["location"] == "/nodes/G2" and created["deadline"] == "2027-03-31"
    prov = created["provenance"]
    assert prov["source"] == "api" and prov["agent"] == "planner-key"
    assert prov["reason"] == "planning round"
    got = client.get("/nodes/G2", headers=viewer)
    assert got.status_code == 200 and got.headers["etag"] == r.headers["etag"]
    assert got.json() == created


def test_create_refuses_duplicates_and_bad_fields(client: TestClient, planner):
    r = client.post("/nodes", headers=planner,
                    json={"id": "G1", "kind": "StrategicGoal", "label": "Again"})
    assert r.status_code == 409 and "duplicate id" in r.json()["detail"]
    r = client.post("/nodes", headers=planner,
                    json={"id": "M9", "kind": "Measure", "label": "No type"})
    assert r.status_code == 422
    assert any("measure_type" in (e["field"] or "") for e in r.json()["errors"])
    r = client.post("/nodes", headers=planner, json={
        "id": "P9", "kind": "ImprovementProject", "label": "Backwards",
        "start_date": "2025-05-01", "end_date": "2025-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "end_date"
    r = client.post("/nodes", headers=planner, json={
        "id": "G9", "kind": "StrategicGoal", "label": "x", "provenance": {"source": "me"}})
    assert r.status_code == 422
    r = client.post("/nodes", headers=planner, json={"id": "bad id!", "kind": "Team",
                                                      "label": "x"})
    assert r.status_code == 422


def test_read_missing_node_is_404(client: TestClient, viewer):
    r = client.get("/nodes/nope", headers=viewer)
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert r.json()["detail"] == "no node with id 'nope'"


def test_put_replaces_every_field_with_if_match(client: TestClient, planner, viewer):
    etag = client.get("/nodes/QI-1", headers=viewer).headers["etag"]
    body = {"kind": "ImprovementProject", "label": "Falls collaborative", "status": "paused"}
    r = client.put("/nodes/QI-1", headers={**planner, "If-Match": etag}, json=body)
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    out = r.json()
    assert out["status"] == "paused" and "method" not in out and out["version"] == 2
    assert out["provenance"]["source"] == "api"
    # its edges are kept
    edges = client.get("/edges", headers=viewer, params={"source": "QI-1"}).json()
    assert {e["kind"] for e in edges["items"]} == {"improves", "alignsTo"}


def test_put_can_change_kind_only_if_edges_still_fit(client: TestClient, planner):
    r = client.put("/nodes/O1", headers={**planner, "If-Match": '"1"'},
                   json={"kind": "Team", "label": "Not an objective"})
    assert r.status_code == 422 and "not allowed" in r.json()["detail"]


def test_patch_is_a_merge_patch(client: TestClient, planner, viewer):
    h = {**planner, "If-Match": '"1"', "Content-Type": "application/merge-patch+json"}
    r = client.patch("/nodes/M1", headers=h,
                     content='{"label": "Falls per 1,000 occupied bed days", "target": null}')
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["label"] == "Falls per 1,000 occupied bed days" and "target" not in m
    assert m["measure_type"] == "outcome" and len(m["data"]) == 2  # untouched fields stay
    # plain JSON is accepted too
    r = client.patch("/nodes/M1", headers={**planner, "If-Match": '"2"'},
                     json={"direction": "increase"})
    assert r.status_code == 200 and r.json()["version"] == 3
    for bad, field in (({"id": "M2"}, "id"), ({"version": 9}, "version"),
                       ({"provenance": {}}, "provenance"), ({"colour": "red"}, "colour"),
                       ({"measure_type": "vibes"}, "measure_type")):
        r = client.patch("/nodes/M1", headers={**planner, "If-Match": '"3"'}, json=bad)
        assert r.status_code == 422, bad
        assert r.json()["field"] == field


def test_if_match_is_required_and_checked(client: TestClient, planner):
    body = {"kind": "StrategicGoal", "label": "Reduce harm"}
    r = client.put("/nodes/G1", headers=planner, json=body)
    assert r.status_code == 428 and r.json()["field"] == "If-Match"
    r = client.patch("/nodes/G1", headers=planner, json={"label": "x"})
    assert r.status_code == 428
    assert client.delete("/nodes/G1", headers=planner).status_code == 428
    for stale in ('"7"', "7", 'W/"1"', "garbage", '"1x"'):
        r = client.put("/nodes/G1", headers={**planner, "If-Match": stale}, json=body)
        assert r.status_code == 412, stale
        assert r.headers["etag"] == '"1"'
    assert client.put("/nodes/G1", headers={**planner, "If-Match": '"5", "1"'},
                      json=body).status_code == 200
    assert client.put("/nodes/G1", headers={**planner, "If-Match": "*"},
                      json=body).json()["version"] == 3
    r = client.put("/nodes/nope", headers={**planner, "If-Match": '"1"'}, json=body)
    assert r.status_code == 404


def test_delete_removes_node_and_its_edges(client: TestClient, planner, viewer):
    r = client.delete("/nodes/M1", headers={**planner, "If-Match": '"1"'})
    assert r.status_code == 204 and r.content == b""
    assert client.get("/nodes/M1", headers=viewer).status_code == 404
    assert client.get("/edges", headers=viewer, params={"node": "M1"}).json()["total"] == 0
    assert client.delete("/nodes/M1", headers={**planner, "If-Match": '"1"'}).status_code == 404


def test_stale_write_is_412_and_changes_nothing(client: TestClient, planner, viewer):
    h = {**planner, "If-Match": '"1"'}
    assert client.patch("/nodes/O1", headers=h, json={"label": "First"}).status_code == 200
    r = client.patch("/nodes/O1", headers=h, json={"label": "Second"})
    assert r.status_code == 412
    assert client.get("/nodes/O1", headers=viewer).json()["label"] == "First"
