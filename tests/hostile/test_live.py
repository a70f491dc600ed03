"""The hostile corpus over HTTP against a running ``qmsgraph serve`` (a subprocess with
bounded memory and CPU, on loopback): each file is a 422 naming it within the client's
timeout, the server fetches nothing, and ``/health`` answers after every one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qmsgraph.api.keys import KeyStore
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import Server, make_key, serve
from .corpus import ACCEPTED, REFUSED, SECRET, content, limit_resources

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile-live")
    store_path = folder / "live.qmsdb"
    s = SQLiteStore(store_path)
    load_files(s, [DATA / "mini.yaml"])
    s.close()
    keys = {"admin": make_key(store_path, "admin-live", "admin")}
    ks = KeyStore(f"{store_path}.keys")
    keys["planner"] = ks.create("planner-live", "planner")[1]
    ks.close()
    with serve(store_path, keys, folder / "server.log", cwd=folder,
               preexec_fn=limit_resources) as srv:
        yield srv
        assert srv.proc.poll() is None, "the server died"


def test_every_hostile_file_over_http(live: Server, listener, secret_file):
    with live.client("planner") as p:
        for name, words in REFUSED.items():
            text = content(name, listener.url, secret_file)
            r = p.post("/import", json={"files": [{"name": name, "content": text}]})
            assert r.status_code == 422, (name, r.text)
            assert name in r.text and all(w in r.text for w in words), (name, r.text)
            assert SECRET not in r.text and str(live.log.parent) not in r.text
            health = httpx.get(live.url + "/health", timeout=10)
            assert health.status_code == 200 and health.json()["nodes"] == 12, name
        name = "formula_projects.csv"
        r = p.post("/import", json={"files": [{"name": name, "content": content(
            name, listener.url, secret_file)}]})
        assert r.status_code == 200 and r.json()["nodes_added"] == ACCEPTED[name]
    assert not listener.contacted()
    log = live.log.read_text()
    assert "Traceback" not in log and "MemoryError" not in log, log


def test_a_bomb_does_not_hold_up_other_requests(live: Server, listener, secret_file):
    """While alias and entity bombs are posted, reads and writes still answer (each bound
    only by the client's timeout, no timing assertion)."""
    import threading

    errors: list[str] = []

    def bomb(name: str) -> None:
        with live.client("planner") as p:
            for _ in range(5):
                r = p.post("/import", json={"files": [{"name": name, "content": content(
                    name, listener.url, secret_file)}]})
                if r.status_code != 422:
                    errors.append(f"{name}: {r.status_code}")

    threads = [threading.Thread(target=bomb, args=(n,)) for n in
               ("alias_bomb.yaml", "entity_bomb.rdf", "deep.yaml", "remote_context.jsonld")]
    for t in threads:
        t.start()
    with live.client("planner") as p:
        for i in range(5):
            assert p.get("/nodes/G1").status_code == 200
            r = p.post("/nodes", json={"id": f"T-live-{i}", "kind": "Team",
                                       "label": f"Team {i}"})
            assert r.status_code == 201, r.text
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    assert not errors, errors
    assert httpx.get(live.url + "/health", timeout=10).status_code == 200


def test_docs_headers_and_401_before_422_over_http(live: Server):
    r = httpx.get(live.url + "/docs", timeout=10)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    r = httpx.post(live.url + "/nodes", content=b"{not json", timeout=10,
                   headers={"content-type": "application/json"})
    assert r.status_code == 401


def test_the_last_admin_key_cannot_be_revoked_over_http(live: Server):
    with live.client("admin") as a:
        mine = next(k for k in a.get("/keys").json()
                    if k["role"] == "admin" and not k["revoked"])
        r = a.delete(f"/keys/{mine['id']}")
        assert r.status_code == 409
        assert a.get("/keys").status_code == 200


@pytest.mark.browser
def test_docs_render_under_their_csp_in_chromium(live: Server, browser):
    """The CSP is strict and the page still works: Swagger UI draws the API's title and
    its operations in real Chromium, with no CSP violation reported."""
    console: list[str] = []
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.goto(live.url + "/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        page.wait_for_selector(".opblock", timeout=30_000)
        assert "qmsgraph API" in page.inner_text(".swagger-ui .info .title")
        assert page.locator(".opblock").count() > 10
    finally:
        ctx.close()
    violations = [c for c in console if "Content Security Policy" in c]
    assert not violations, violations
