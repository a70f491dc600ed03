"""Issue 21: health that never waits, conditional GETs, answers kept per revision, stable
pagination, several workers on one store."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from qmsgraph.cli import example_files
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import clean_env, make_keys, serve
from .conftest import bearer


def test_304_on_an_unchanged_audit_and_200_after_a_change(client: TestClient, viewer,
                                                         planner):
    first = client.get("/alignment/audit", headers=viewer)
    assert first.status_code == 200 and first.headers["etag"]
    again = client.get("/alignment/audit", headers={**viewer,
                                                    "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    for path in ("/alignment/matrix", "/alignment/balance", "/alignment/scores", "/nodes",
                 "/alignment/thread/QI-1", "/edges"):
        r = client.get(path, headers=viewer)
        assert r.status_code == 200 and r.headers["etag"], path
        assert client.get(path, headers={**viewer, "If-None-Match": r.headers["etag"]}
                          ).status_code == 304, path
    g1 = client.get("/nodes/G1", headers=viewer)
    assert client.get("/nodes/G1", headers={**viewer, "If-None-Match": g1.headers["etag"]}
                      ).status_code == 304
    assert client.patch("/nodes/G1", json={"status": "retired"},
                        headers={**planner, "If-Match": g1.headers["etag"]}).status_code == 200
    changed = client.get("/alignment/audit", headers={**viewer,
                                                      "If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert changed.json() != first.json()
    # no key, no answer: a 304 is not a way round authentication
    assert client.get("/alignment/audit", headers={"If-None-Match": "*"}).status_code == 401


def test_the_audit_is_computed_once_per_revision(app, client: TestClient, viewer,
                                                 monkeypatch):
    store = app.state.qmsgraph.store
    calls = []
    original = type(store).audit

    def counting(self, config=None):
        calls.append(1)
        return original(self, config)

    monkeypatch.setattr(type(store), "audit", counting)
    for params in ({}, {}, {"severity": "error"}, {"limit": 2}):
        assert client.get("/alignment/audit", params=params, headers=viewer
                          ).status_code == 200
    cached = app.state.qmsgraph.answers
    assert len(cached._items) == 3  # {} twice is one answer
    assert len(calls) == 3  # each new query asks the store; the store keeps the report
    report = store.audit(app.state.qmsgraph.config)
    assert store.audit(app.state.qmsgraph.config) is report


@pytest.fixture
def example(tmp_path: Path):
    """The example health board (many findings) behind the app, and keys."""
    from qmsgraph.api.app import create_app
    from qmsgraph.api.settings import Settings

    s = SQLiteStore(tmp_path / "example.qmsdb")
    load_files(s, example_files())
    app = create_app(s, Settings(store=str(tmp_path / "example.qmsdb")))
    ks = app.state.qmsgraph.keys
    keys = {r: bearer(ks.create(f"{r}-key", r)[1]) for r in ("viewer", "planner")}
    with TestClient(app) as c:
        yield c, keys["viewer"], keys["planner"]
    ks.close()
    s.close()


def test_pagination_returns_every_finding_exactly_once(example):
    client, viewer, planner = example
    whole = client.get("/alignment/audit", headers=viewer).json()
    assert whole["total"] >= 15 and whole["next_cursor"] is None
    seen: list[tuple[str, str, str]] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get("/alignment/audit", params=params, headers=viewer).json()
        assert len(page["findings"]) <= 4
        seen += [(f["rule"], f["node"], f["message"]) for f in page["findings"]]
        pages += 1
        if pages == 1:  # the store changes between pages: paging goes on, nothing repeats
            r = client.post("/nodes", json={"id": "ZZ-NEW", "kind": "ImprovementProject",
                                            "label": "Late project", "status": "active"},
                            headers=planner)
            assert r.status_code == 201, r.text
        cursor = page["next_cursor"]
        if cursor is None:
            break
    order = {"error": 0, "warning": 1, "info": 2}
    sev = {(f["rule"], f["node"], f["message"]): order[f["severity"]]
           for f in whole["findings"]}
    expected = [(f["rule"], f["node"], f["message"]) for f in whole["findings"]]
    # in the report's order (severity, rule, node), each once
    assert len(seen) == len(set(seen))
    known = [k for k in seen if k in sev]
    assert known == sorted(known, key=lambda k: (sev[k], *k))
    assert set(expected) <= set(seen)  # and the late project's finding, if after the cursor
    assert pages >= 3
    bad = client.get("/alignment/audit", params={"cursor": "not-a-cursor"}, headers=viewer)
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


def test_audit_filters_by_goal(example):
    client, viewer, _ = example
    whole = client.get("/alignment/audit", headers=viewer).json()
    on_goal = client.get("/alignment/audit", params={"goal": "G1"}, headers=viewer).json()
    assert on_goal["total"] <= whole["total"]
    contributors = client.get("/alignment/goals/G1/contributors", headers=viewer).json()
    scope = {"G1"} | {c["node"] for k in ("projects", "processes", "measures", "units",
                                           "other") for c in contributors[k]}
    assert all(f["node"] in scope for f in on_goal["findings"])


def test_ready_says_the_revision_and_health_needs_no_store(client: TestClient, app):
    ready = client.get("/ready").json()
    health = client.get("/health").json()
    assert ready["status"] == "ready" and ready["revision"] == health["revision"] >= 1
    assert health["nodes"] == ready["nodes"] == 12


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "demo.qmsdb"
    s = SQLiteStore(path)
    load_files(s, example_files())
    s.close()
    return path, make_keys(path)


def test_health_answers_while_a_write_an_import_and_an_audit_are_in_flight(demo, tmp_path):
    """Another process holds the write lock: a PATCH and an import wait for it in the
    server, audits run; /health answers at once all the while."""
    path, keys = demo
    env = clean_env(QMSGRAPH_LOCK_TIMEOUT="20")
    with serve(path, keys, tmp_path / "server.log", env=env) as srv:
        with srv.client("planner") as c:
            etag = c.get("/nodes/G1").headers["etag"]
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        results: dict[str, int] = {}

        def run(name: str, method: str, url: str, **kw: object) -> None:
            with srv.client("planner", timeout=60) as c:
                results[name] = c.request(method, url, **kw).status_code

        jobs = [threading.Thread(target=run, args=("write", "PATCH", "/nodes/G1"), kwargs={
                    "json": {"target": 21}, "headers": {"If-Match": etag}}),
                threading.Thread(target=run, args=("import", "POST", "/import"), kwargs={
                    "json": {"files": [{"name": "t.yaml", "content":
                             "nodes:\n  - {id: T-new, kind: Team, label: New}\n"}]}})]
        jobs += [threading.Thread(target=run, args=(f"audit{i}", "GET", url))
                 for i, url in enumerate(("/alignment/audit", "/board", "/alignment/audit?"
                                          "severity=error"))]
        try:
            for t in jobs:
                t.start()
            time.sleep(1.0)
            took = []
            for _ in range(20):
                started = time.monotonic()
                assert httpx.get(srv.url + "/health", timeout=5).status_code == 200
                took.append(time.monotonic() - started)
            assert "write" not in results and "import" not in results  # still waiting
        finally:
            other.execute("ROLLBACK")
            other.close()
        for t in jobs:
            t.join(timeout=60)
        assert results == {"write": 200, "import": 200, "audit0": 200, "audit1": 200,
                           "audit2": 200}
        assert sorted(took)[len(took) // 2] < 0.25, took


def test_two_workers_serve_one_store(demo, tmp_path):
    """``qmsgraph serve --workers 2``: two processes on one port and one store; writes
    through either are read through the other at once, none lost."""
    path, keys = demo
    with serve(path, keys, tmp_path / "server.log", args=("--workers", "2")) as srv:
        workers, done = set(), 0
        start = httpx.get(srv.url + "/nodes/G1", headers=bearer(keys["viewer"])).json()
        for _ in range(30):
            with srv.client("planner") as c:  # a new connection: either worker may take it
                workers.add(c.get("/ready").json()["worker"])
                got = c.get("/nodes/G1")
                r = c.patch("/nodes/G1", json={"target": got.json()["target"] + 1},
                            headers={"If-Match": got.headers["etag"]})
                assert r.status_code == 200, r.text
                done += 1
        assert len(workers) == 2, workers
        for _ in range(6):
            with srv.client("viewer") as v:
                assert v.get("/nodes/G1").json()["target"] == start["target"] + done
