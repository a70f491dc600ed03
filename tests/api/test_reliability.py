"""Issue 11, reproduced with real processes: ``qmsgraph serve`` and ``qmsgraph load`` on one
store (loopback only, every wait bounded)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from qmsgraph.cli import example_files
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import BIN, clean_env, make_keys, serve, servers, stop


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example health board in a store, with keys of every role."""
    path = tmp_path / "demo.qmsdb"
    s = SQLiteStore(path)
    load_files(s, example_files())
    s.close()
    return path, make_keys(path)


async def _burst(url: str, key: str, timeout: float) -> list[tuple[str, int | str, float]]:
    """50 x GET /board, 25 x PATCH /nodes/G1 (If-Match: *) and 50 x GET /nodes, all sent at
    once (interleaved), each with its own connection."""
    jobs = [("board", i) for i in range(50)] + [("patch", i) for i in range(25)] + \
           [("nodes", i) for i in range(50)]
    jobs.sort(key=lambda j: j[1])
    limits = httpx.Limits(max_connections=len(jobs), max_keepalive_connections=len(jobs))
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits,
                                 headers={"Authorization": f"Bearer {key}"}) as c:
        async def one(kind: str, i: int) -> tuple[str, int | str, float]:
            started = time.monotonic()
            try:
                if kind == "board":
                    r = await c.get("/board")
                elif kind == "nodes":
                    r = await c.get("/nodes", params={"limit": 1000})
                else:
                    r = await c.patch("/nodes/G1", json={"target": 20 + i},
                                      headers={"If-Match": "*"})
                return kind, r.status_code, time.monotonic() - started
            except httpx.TimeoutException as err:
                return kind, type(err).__name__, time.monotonic() - started

        return list(await asyncio.gather(*(one(k, i) for k, i in jobs)))


def test_a_burst_of_boards_writes_and_lists_never_deadlocks(demo, tmp_path: Path):
    """Defect 1: 50 x GET /board, 25 x PATCH (If-Match: *) and 50 x GET /nodes at once used
    to leave every worker thread waiting in the API's readers-writer lock for good: the
    requests timed out, /health hung and SIGTERM did not stop the server."""
    path, keys = demo
    with serve(path, keys, tmp_path / "server.log") as srv:
        results = asyncio.run(_burst(srv.url, keys["planner"], timeout=90))
        assert Counter((k, s) for k, s, _ in results) == {
            ("board", 200): 50, ("patch", 200): 25, ("nodes", 200): 50}
        started = time.monotonic()
        assert httpx.get(srv.url + "/health", timeout=10).status_code == 200
        assert time.monotonic() - started < 2
        assert stop(srv.proc) != -9, "the server did not stop on SIGTERM"


def test_two_servers_lose_no_update(demo, tmp_path: Path):
    """Defect 2: two servers on one store, 16 writers alternating between them, each
    GET then PATCH target+1 with the ETag (retrying 412): every 200 must count."""
    path, keys = demo
    per_writer = 10
    with servers(2, path, keys, tmp_path) as srvs:
        with srvs[0].client("planner") as c:
            start = c.get("/nodes/G1").json()["target"]
        statuses: Counter = Counter()
        lock = threading.Lock()

        def writer(n: int) -> int:
            clients = [s.client("planner") for s in srvs]
            done = turn = 0
            deadline = time.monotonic() + 120
            try:
                while done < per_writer:
                    assert time.monotonic() < deadline, "writer starved"
                    c = clients[(n + turn) % 2]
                    turn += 1
                    got = c.get("/nodes/G1")
                    assert got.status_code == 200, got.text
                    r = c.patch("/nodes/G1", json={"target": got.json()["target"] + 1},
                                headers={"If-Match": got.headers["etag"]})
                    with lock:
                        statuses[r.status_code] += 1
                    assert r.status_code in (200, 409, 412), r.text
                    done += r.status_code == 200
            finally:
                for c in clients:
                    c.close()
            return done

        with ThreadPoolExecutor(16) as pool:
            successes = sum(pool.map(writer, range(16)))
        with srvs[1].client("viewer") as c:
            final = c.get("/nodes/G1").json()["target"]
    assert successes == statuses[200] == 16 * per_writer
    assert final == start + successes


def _points(path: Path, year: int) -> Path:
    path.write_text("measure_id,date,value\n" + "".join(
        f"M-FALLS,{year}-{m:02d}-01,{m}.25\n" for m in range(1, 13)))
    return path


def test_two_concurrent_loads_keep_every_point(demo, tmp_path: Path):
    """Defect 3: two ``qmsgraph load`` at once, each adding 12 points to the same measure,
    both said "updated 1 nodes" and the measure kept only one load's points."""
    path, _ = demo
    s = SQLiteStore(path)
    before = len(s.get_node("M-FALLS").data)
    s.close()
    for run in range(3):
        files = [_points(tmp_path / f"p{run}{i}.csv", 2040 + 2 * run + i) for i in (0, 1)]
        procs = [subprocess.Popen([str(BIN), "load", "--store", str(path), str(f)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=clean_env()) for f in files]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            assert "updated 1 nodes" in out
        s = SQLiteStore(path)
        assert len(s.get_node("M-FALLS").data) == before + 24 * (run + 1)
        s.close()


@pytest.fixture
def held(demo) -> Iterator[tuple[Path, dict[str, str]]]:
    """Another process holds the store's write lock."""
    path, keys = demo
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta VALUES ('held', 'by another process')")
    yield path, keys
    other.execute("ROLLBACK")
    other.close()


def test_a_held_write_lock_gives_503_and_a_clear_cli_error(held, tmp_path: Path):
    """Defect 7: past the bound the API answers 503 with Retry-After (it answered 500), the
    CLI says the store is busy and exits non-zero (it said "not a qmsgraph store"), and
    readers - ``stats`` too - never wait for the write lock."""
    path, keys = held
    env = clean_env(QMSGRAPH_LOCK_TIMEOUT="1")
    started = time.monotonic()
    stats = subprocess.run([str(BIN), "stats", "--store", str(path)], capture_output=True,
                           text=True, timeout=60, env=env)
    assert stats.returncode == 0, stats.stderr
    assert "368 nodes" in stats.stdout
    load = subprocess.run([str(BIN), "load", "--store", str(path),
                           str(_points(tmp_path / "p.csv", 2050))],
                          capture_output=True, text=True, timeout=60, env=env)
    assert load.returncode == 75 and "Traceback" not in load.stderr  # EX_TEMPFAIL
    assert "busy" in load.stderr and "not a qmsgraph store" not in load.stderr
    assert time.monotonic() - started < 30
    with serve(path, keys, tmp_path / "server.log", env=env) as srv, \
            srv.client("planner", timeout=20) as c:
        got = c.get("/nodes/G1")
        assert got.status_code == 200
        r = c.patch("/nodes/G1", json={"target": 1}, headers={"If-Match": got.headers["etag"]})
        assert r.status_code == 503, r.text
        assert int(r.headers["retry-after"]) >= 1
        assert r.headers["content-type"] == "application/problem+json"
        assert "busy" in r.json()["detail"]
        assert c.get("/alignment/audit").status_code == 200
        assert httpx.get(srv.url + "/health", timeout=5).status_code == 200
