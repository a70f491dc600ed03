"""Every error is problem+json; bodies over the limit get 413; no stack trace leaks."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
FIELDS = {"type", "title", "status", "detail", "instance", "field", "errors"}


def is_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert set(body) == FIELDS and body["status"] == status
    assert body["type"].startswith("https://w3id.org/qmsgraph/problems/")
    return body


def test_404_and_405(client: TestClient, viewer):
    is_problem(client.get("/no/such/path", headers=viewer), 404)
    body = is_problem(client.patch("/edges", headers=viewer), 405)
    assert body["title"] == "Method not allowed"
    r = client.put("/health")
    assert r.status_code == 405 and "GET" in r.headers["allow"]


def test_request_validation_names_every_field(client: TestClient, planner):
    r = client.post("/nodes", headers={**planner, "Content-Type": "application/json"},
                    content=b"{not")
    body = is_problem(r, 422)
    assert body["errors"][0]["field"].startswith("body")
    r = client.post("/edges", headers=planner, json={"source": "", "kind": "x"})
    body = is_problem(r, 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"body.source", "body.kind", "body.target"} <= fields
    assert body["field"] in fields


def test_import_errors_name_file_and_line(client: TestClient, planner):
    bad = "qmsgraph: 1\nnodes:\n  - id: X1\n    kind: Measure\n    label: No type\n"
    r = client.post("/import", headers=planner,
                    json={"files": [{"name": "bad.yaml", "content": bad}]})
    body = is_problem(r, 422)
    assert body["errors"][0]["location"] == "bad.yaml:3"
    assert "measure_type" in body["errors"][0]["message"]


def test_body_over_the_limit_is_413(client: TestClient, planner):
    big = {"files": [{"name": "big.yaml", "content": "#" * 300_000}]}
    body = is_problem(client.post("/import", headers=planner, json=big), 413)
    assert "QMSGRAPH_MAX_BODY" in body["detail"]


def test_chunked_body_over_the_limit_is_413(client: TestClient, planner):
    def chunks():
        for _ in range(30):
            yield b"x" * 10_000

    r = client.post("/import", headers={**planner, "Content-Type": "application/json"},
                    content=chunks())
    is_problem(r, 413)

    def small():
        yield b'{"files": [{"name": "a.yaml", "content": "nodes: []"}], "dry_run": true}'

    r = client.post("/import", headers={**planner, "Content-Type": "application/json"},
                    content=small())
    assert r.status_code == 200, r.text


def test_unexpected_errors_are_a_generic_500_logged_on_the_server(
        app: FastAPI, client: TestClient, viewer, monkeypatch, caplog):
    store = app.state.qmsgraph.store

    def boom(*a, **k):
        raise RuntimeError("secret internals /etc/passwd line 42")

    monkeypatch.setattr(store, "impact", boom)
    with caplog.at_level(logging.ERROR, logger="qmsgraph.api"):
        r = client.get("/alignment/impact/G1", headers=viewer)
    body = is_problem(r, 500)
    assert "secret" not in r.text and "Traceback" not in r.text
    assert "logged" in body["detail"]
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_store_errors_are_503_without_detail(app: FastAPI, client: TestClient, viewer,
                                             monkeypatch):
    from qmsgraph.errors import StoreError

    def broken(*a, **k):
        raise StoreError("/var/lib/secret.qmsdb is locked")

    monkeypatch.setattr(app.state.qmsgraph.store, "thread", broken)
    body = is_problem(client.get("/alignment/thread/G1", headers=viewer), 503)
    assert "secret" not in body["detail"]


@pytest.mark.parametrize("path", ["/nodes/G1", "/alignment/thread/G1"])
def test_no_sql_or_query_text_is_built_from_input(client: TestClient, viewer, path):
    # ids are checked against a pattern before anything reaches the store
    r = client.get(path.replace("G1", "G1' OR '1'='1"), headers=viewer)
    assert r.status_code == 422
