"""Smoke tests against a real server: ``qmsgraph serve`` in a subprocess on a free port.

Keys are made with ``qmsgraph keys create`` (as an operator would); the server is stopped at
the end. The concurrency test runs 8 writers doing read-modify-write with If-Match retries.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import Server, make_keys, serve
from .conftest import DATA, spc_yaml

WRITERS = 8
INCREMENTS = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("live")
    store_path = folder / "live.qmsdb"
    s = SQLiteStore(store_path)
    (folder / "spc.yaml").write_text(spc_yaml())
    load_files(s, [DATA / "mini.yaml", folder / "spc.yaml"])
    s.close()
    with serve(store_path, make_keys(store_path), folder / "server.log") as srv:
        yield srv


def test_health_and_docs_need_no_key(server: Server):
    with httpx.Client(base_url=server.url, timeout=30) as c:  # a busy CI machine
        r = c.get("/health")
        assert r.status_code == 200 and r.json()["store"] == "embedded"
        assert r.json()["nodes"] == 13
        docs = c.get("/docs")
        assert docs.status_code == 200 and "/static/swagger-ui-bundle.js" in docs.text
        assert c.get("/static/swagger-ui-bundle.js").status_code == 200
        assert c.get("/openapi.json").json()["info"]["title"] == "qmsgraph API"


def test_smoke_every_area(server: Server):
    assert httpx.get(server.url + "/nodes").status_code == 401
    with server.client("viewer") as v:
        assert v.get("/nodes", params={"kind": "StrategicGoal"}).json()["total"] == 2
        assert v.post("/nodes", json={"id": "X", "kind": "Team", "label": "x"}
                      ).status_code == 403
        assert v.get("/alignment/audit").status_code == 200
        assert v.get("/alignment/thread/QI-1").json()["broken"] is False
        assert v.get("/measures/M-spc/spc").json()["variation_icon"] == "concern_high"
        png = v.get("/measures/M-spc/spc.png")
        assert png.headers["content-type"] == "image/png"
        assert v.get("/export/ttl").headers["content-type"].startswith("text/turtle")
        r = v.post("/check-project", json={"label": "Falls again", "measures": ["M1"]})
        assert r.status_code == 200 and r.json()["verdict"] == "weak"
    with server.client("planner") as p:
        r = p.post("/nodes", json={"id": "T-live", "kind": "Team", "label": "Live team"},
                   headers={"X-Change-Reason": "smoke test"})
        assert r.status_code == 201 and r.json()["provenance"]["agent"] == "planner-live"
        created = r.headers["etag"]
        assert p.post("/edges", json={"source": "T-live", "kind": "unitOf",
                                      "target": "med"}).status_code == 201
        r = p.post("/import/upload", files=[("files", ("m.yaml", spc_yaml("M-up", 3),
                                                       "application/yaml"))],
                   data={"dry_run": "true"})
        assert r.status_code == 200 and r.json()["nodes_added"] == 1
        assert p.delete("/nodes/T-live", headers={"If-Match": created}).status_code == 204
        big = p.post("/import", json={"files": [{"name": "big.yaml",
                                                 "content": "#" * (17 * 1024 * 1024)}]})
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"
    with server.client("admin") as a:
        created = a.post("/keys", json={"name": "temp", "role": "viewer"}).json()
        assert httpx.get(server.url + "/nodes", headers={"X-API-Key": created["key"]}
                         ).status_code == 200
        assert a.delete(f"/keys/{created['id']}").status_code == 204
        assert httpx.get(server.url + "/nodes", headers={"X-API-Key": created["key"]}
                         ).status_code == 401


def read_modify_write(client: httpx.Client, node: str, times: int, statuses: Counter,
                      lock: threading.Lock) -> int:
    """Increment the node's target ``times`` times, retrying on 412/409; return successes."""
    done = 0
    deadline = time.monotonic() + 120
    while done < times:
        assert time.monotonic() < deadline, "writer starved"
        got = client.get(f"/nodes/{node}")
        assert got.status_code == 200, got.text
        value = got.json()["target"]
        r = client.patch(f"/nodes/{node}", json={"target": value + 1},
                         headers={"If-Match": got.headers["etag"]})
        with lock:
            statuses[r.status_code] += 1
        if r.status_code == 200:
            done += 1
        else:
            assert r.status_code in (409, 412), r.text
            assert r.headers["content-type"] == "application/problem+json"
    return done


def run_writers(make_client, node: str) -> tuple[int, Counter]:
    statuses: Counter = Counter()
    lock = threading.Lock()
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer() -> None:
        try:
            with make_client() as c:
                barrier.wait()
                results.append(read_modify_write(c, node, INCREMENTS, statuses, lock))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(results) == WRITERS
    return sum(results), statuses


def test_eight_concurrent_writers_lose_no_update(server: Server):
    with server.client("planner") as p:
        start = p.get("/nodes/G1").json()
    successes, statuses = run_writers(lambda: server.client("planner"), "G1")
    with server.client("viewer") as v:
        final = v.get("/nodes/G1")
    assert successes == WRITERS * INCREMENTS == statuses[200]
    assert final.json()["target"] == start["target"] + successes
    # Versions come from a store-wide clock: every successful write moved it on.
    assert final.json()["version"] >= start["version"] + successes
    assert set(statuses) <= {200, 409, 412}
    assert statuses[412] + statuses[409] > 0  # they did collide
