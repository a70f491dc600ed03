"""GET /map and GET /board through the router, with stub store and viewer dependencies."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from qmsgraph.visualisations.routes import map_router

from .conftest import HOSTILE, Org, shot, wait_ready

PROBLEM = "application/problem+json"


def make_app(org: Org) -> FastAPI:
    def get_store():
        return org.store

    def require_viewer(x_role: str | None = Header(None)) -> str:
        if x_role not in ("viewer", "editor"):
            raise HTTPException(401, "needs the viewer role")
        return x_role

    app = FastAPI()
    app.include_router(map_router(get_store, require_viewer))
    return app


@pytest.fixture
def client(org: Org) -> Iterator[TestClient]:
    with TestClient(make_app(org), headers={"X-Role": "viewer"}) as c:
        yield c


@pytest.mark.parametrize("query", [
    "", "?view=system", "?view=system&depth=2", "?view=unit&unit=med",
    "?view=unit&unit=med&depth=0", "?view=thread&focus=QI-1", "?view=thread&focus=QI-EVIL",
    "?view=goal&focus=G1", "?view=goal&focus=O1&depth=1", "?view=findings",
    "?view=findings&unit=ward-9"])
def test_map_views(client: TestClient, query: str) -> None:
    r = client.get("/map" + query)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert 'data-node-count="' in r.text and "<img" not in r.text


def test_served_links_are_relative(client: TestClient) -> None:
    text = client.get("/map?view=system").text
    assert '"map?view=thread\\u0026focus=QI-1"' in text
    board = client.get("/board")
    assert board.status_code == 200 and board.headers["content-type"].startswith("text/html")
    assert 'href="map?view=thread&amp;focus=QI-EVIL&amp;depth=3"' in board.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in board.text


@pytest.mark.parametrize(("query", "status", "field"), [
    ("?view=nope", 422, "view"),
    ("?view=thread", 422, "focus"),
    ("?view=goal&focus=QI-1", 422, "goal"),
    ("?view=unit&unit=QI-1", 422, "unit"),
    ("?view=unit", 422, "unit"),
    ("?view=system&depth=-1", 422, "depth"),
    ("?view=system&depth=abc", 422, "depth"),
    ("?view=thread&focus=nobody", 404, "focus"),
    ("?view=unit&unit=nobody", 404, "unit"),
    ("?view=goal&focus=%3Cimg%20src%3Dx%3E", 404, "focus"),
])
def test_errors_are_problem_json(client: TestClient, query: str, status: int,
                                 field: str) -> None:
    r = client.get("/map" + query)
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].endswith("not-found" if status == 404 else "validation-error")
    assert body.get("field") == field
    assert "Traceback" not in r.text


def test_viewer_role_is_required(org: Org) -> None:
    with TestClient(make_app(org)) as c:
        assert c.get("/map").status_code == 401
        assert c.get("/board").status_code == 401
        assert c.get("/map", headers={"X-Role": "viewer"}).status_code == 200


def test_alignment_config_is_used(org: Org) -> None:
    from qmsgraph.alignment import AlignmentConfig

    app = FastAPI()
    app.include_router(map_router(lambda: org.store, lambda: None,
                                  config=AlignmentConfig(disabled_rules=["orphaned-work"])))
    with TestClient(app) as c:
        board = c.get("/board").text
    assert "orphaned-work" not in board and "misaligned-inactive-goal" in board


def test_openapi_documents_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/map", "/board"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/map"]["get"]["parameters"]}
    assert {"view", "unit", "focus", "depth"} <= params


# ------------------------------------------------------------------------ in a browser

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(org: Org) -> Iterator[str]:
    import uvicorn

    app = make_app(org)

    @app.middleware("http")
    async def viewer(request, call_next):  # the browser sends no role header
        request.scope["headers"] = [*request.scope["headers"], (b"x-role", b"viewer")]
        return await call_next(request)

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(timeout=10)


@pytest.mark.browser
def test_served_board_links_to_served_maps(server: str, open_page) -> None:
    page, watch = open_page(server + "/board")
    page.get_by_role("heading", name="Board summary: Minitown Health Board").wait_for()
    link = page.locator("table.findings a", has_text=HOSTILE)
    assert link.get_attribute("href") == "map?view=thread&focus=QI-EVIL&depth=3"
    link.click()
    wait_ready(page)
    assert page.url == server + "/map?view=thread&focus=QI-EVIL&depth=3"
    # the project (it reaches nothing) and the work below it (depth=3)
    assert "QI-EVIL" in page.evaluate("window.qmsgraphMap.nodes.getIds()")
    assert "Thread broken" in page.locator(".note-break").inner_text()
    shot(page, "served-thread-hostile")
    # the goal view from the details panel link of a goal
    page.goto(server + "/map?view=system&focus=G1")
    wait_ready(page)
    page.get_by_role("link", name="Everything that contributes").click()
    wait_ready(page)
    assert page.url.endswith("/map?view=goal&focus=G1")
    shot(page, "served-goal")
    watch.assert_clean()
