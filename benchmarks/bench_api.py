"""The HTTP API under load (issue 21): requests/s, p50/p99 and the share of a bare FastAPI
route, measured in the same run with ``wrk`` (Debian package ``wrk``) on loopback.

    .venv/bin/python -m benchmarks.bench_api                  # 100k nodes, 1/8/32 connections
    .venv/bin/python -m benchmarks.bench_api 10000 100000 1000000 --seconds 10
    .venv/bin/python -m benchmarks.bench_api --workers 2      # qmsgraph serve --workers 2

For each size a copy of the synthetic store (``benchmarks/synthetic.py``, cached as in
``bench_core``) is served by ``qmsgraph serve`` on 127.0.0.1 with two extra routes added to
the same app in the same process (``benchmarks/_api_app.py``): ``GET /bench/hello`` (async,
``{"ok": 1}``) and ``GET /bench/hello-sync`` (a plain ``def``, run in the thread pool like
the API's read routes). Each route class is driven at each connection count for
``--seconds``; the share is the route's requests/s over the async hello route's at the same
connection count. Also printed: the time from starting the server to its first answer.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from .bench_core import CACHE, make_store

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
HELLO = "/bench/hello"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def routes(path: Path) -> dict[str, str]:
    """One URL per route class, for nodes that exist in this store."""
    import sqlite3

    with sqlite3.connect(path) as c:
        def first(sql: str) -> str:
            return c.execute(sql).fetchone()[0]

        project = first("SELECT id FROM nodes WHERE kind='ImprovementProject' LIMIT 1")
        goal = first("SELECT id FROM nodes WHERE kind='StrategicGoal' AND id LIKE 'o%' "
                     "LIMIT 1")  # an organisation's goal (a system goal has thousands)
        measure = first("SELECT id FROM nodes WHERE kind='Measure' AND "
                        "json_array_length(body, '$.data') >= 20 LIMIT 1")
        process = first("SELECT id FROM nodes WHERE kind='Process' LIMIT 1")
    return {
        "hello (async)": HELLO,
        "hello (sync)": "/bench/hello-sync",
        "health": "/health",
        "node": f"/nodes/{project}",
        "thread": f"/alignment/thread/{project}",
        "contributors": f"/alignment/goals/{goal}/contributors",
        "impact": f"/alignment/impact/{process}",
        "spc summary": f"/measures/{measure}/spc",
        "audit page": "/alignment/audit?severity=error&limit=100",
    }


def wrk(url: str, key: str, connections: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d",
         f"{seconds:g}s", "--latency", "--timeout", "10s",
         "-H", f"Authorization: Bearer {key}", url],
        capture_output=True, text=True, check=True).stdout

    def latency(q: str) -> float:
        m = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "timeouts": int(errors.group(1)) if errors else 0}


def start(store: Path, port: int, workers: int) -> tuple[subprocess.Popen[bytes], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMSGRAPH_")}
    cmd = [sys.executable, "-m", "benchmarks._api_app", str(store), str(port), str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, time.perf_counter() - t0
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "exited")
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # the server and its workers (its own group)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def measure(n: int, seconds: float, conns: list[int], workers: int) -> dict[str, Any]:
    src = make_store(n)
    work = CACHE / f"api-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    store = work / "api.qmsdb"
    for suffix in ("", "-core.npz"):
        shutil.copy(f"{src}{suffix}", f"{store}{suffix}")
    from qmsgraph.api.keys import KeyStore

    ks = KeyStore(f"{store}.keys")
    key = ks.create("bench", "viewer")[1]
    ks.close()
    port = free_port()
    proc, startup = start(store, port, workers)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {"nodes": n, "workers": workers, "startup_s": round(startup, 2),
                           "routes": {}}
    try:
        urls = routes(store)
        with httpx.Client(base_url=base, timeout=120,
                          headers={"Authorization": f"Bearer {key}"}) as c:
            for url in urls.values():  # warm: caches, first audit, SPC summaries
                r = c.get(url)
                assert r.status_code == 200, (url, r.status_code, r.text[:300])
        for name, url in urls.items():
            out["routes"][name] = {c: wrk(base + url, key, c, seconds) for c in conns}
    finally:
        stop(proc)
    return out


def report(result: dict[str, Any], conns: list[int]) -> None:
    hello = result["routes"]["hello (async)"]
    print(f"\n{result['nodes']:,} nodes, {result['workers']} worker(s); startup to first "
          f"answer {result['startup_s']} s")
    head = "| route | " + " | ".join(f"{c} conn: req/s, p50, p99 ms, share" for c in conns)
    print(head + " |")
    print("|---|" + "---:|" * len(conns))
    for name, by_c in result["routes"].items():
        cells = []
        for c in conns:
            m = by_c[c]
            share = 100 * m["rps"] / hello[c]["rps"]
            bad = f" ({m['non2xx']} non-2xx, {m['timeouts']} timeouts)" \
                if m["non2xx"] or m["timeouts"] else ""
            cells.append(f"{m['rps']:,.0f}, {m['p50_ms']:.1f}, {m['p99_ms']:.1f}, "
                         f"{share:.0f}%{bad}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", default="1,8,32")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian package)")
    conns = [int(c) for c in args.connections.split(",")]
    results = []
    for n in args.sizes:
        result = measure(n, args.seconds, conns, args.workers)
        report(result, conns)
        results.append(result)
    RESULTS.mkdir(exist_ok=True)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                         capture_output=True, text=True).stdout.strip()
    sizes = "-".join(f"{n // 1000}k" for n in args.sizes)
    path = RESULTS / f"api-{time.strftime('%Y-%m-%d')}-{rev}-{sizes}-w{args.workers}.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"\nwrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
