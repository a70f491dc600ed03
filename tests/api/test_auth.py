"""Keys and roles: 401 without a valid key, 403 for a role too low, on every route."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from qmsgraph.api.app import create_app
from qmsgraph.api.auth import require_role
from qmsgraph.api.keys import KeyStore
from qmsgraph.api.settings import Settings
from qmsgraph.stores import SQLiteStore

from .conftest import bearer

OPEN = {"/health", "/ready", "/docs", "/openapi.json", "/login", "/logout"}  # sign-in: sessions
WRITE = {"POST", "PUT", "PATCH", "DELETE"}
READ_ONLY_POSTS = {"/check-project"}  # a question, not a write: viewers may ask it


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route of the app, also inside included routers (newer FastAPI keeps an
    included router as one entry of ``app.routes`` that holds the router's own routes)."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "original_router"):
            yield from api_routes(r.original_router.routes)


def _routes() -> list[tuple[str, str]]:
    with_store = SQLiteStore(":memory:")
    app = create_app(with_store, Settings(store="x.qmsdb", keys=":memory:"))
    out = sorted((m, r.path) for r in api_routes(app.routes)
                 for m in r.methods if r.path not in OPEN)
    documented = sorted((m.upper(), p) for p, ops in app.openapi()["paths"].items()
                        for m in ops if p not in OPEN)
    assert out == documented  # the walk missed no route
    app.state.qmsgraph.keys.close()
    with_store.close()
    return out


ROUTES = _routes()
WRITE_ROUTES = [(m, p) for m, p in ROUTES if m in WRITE and p not in READ_ONLY_POSTS]


def _url(path: str) -> str:
    return (path.replace("{node_id}", "G1").replace("{goal_id}", "G1")
            .replace("{measure_id}", "M1").replace("{source}", "ward-7")
            .replace("{kind}", "monitors").replace("{target}", "M1")
            .replace("{fmt}", "ttl").replace("{key_id}", "0123456789ab"))


def test_the_route_table_is_what_the_docs_say():
    assert len(WRITE_ROUTES) >= 11
    assert ("POST", "/import") in WRITE_ROUTES and ("DELETE", "/keys/{key_id}") in WRITE_ROUTES


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_needs_a_key(client: TestClient, keys, method, path):
    r = client.request(method, _url(path))
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"] == "application/problem+json"
    for bad in ({"Authorization": "Bearer qmsk_0123456789ab_" + "x" * 43},
                {"X-API-Key": "nonsense"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        assert client.request(method, _url(path), headers=bad).status_code == 401


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES,
                         ids=[f"{m} {p}" for m, p in WRITE_ROUTES])
def test_every_write_route_refuses_missing_key_and_viewer(client: TestClient, keys, viewer,
                                                          method, path):
    assert client.request(method, _url(path)).status_code == 401
    r = client.request(method, _url(path), headers=viewer, json={})
    assert r.status_code == 403, r.text
    assert r.json()["title"] == "Forbidden"


@pytest.mark.parametrize("path", ["/keys", "/keys/0123456789ab"])
def test_key_admin_needs_admin(client: TestClient, planner, path):
    method = "GET" if path == "/keys" else "DELETE"
    assert client.request(method, path, headers=planner).status_code == 403


def test_open_routes(client: TestClient):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/openapi.json").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
    js = client.get("/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert client.get("/static/swagger-ui.css").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_x_api_key_header_and_role_order(client: TestClient, keys):
    assert client.get("/nodes", headers={"X-API-Key": keys["viewer"]}).status_code == 200
    assert client.get("/nodes", headers=bearer(keys["admin"])).status_code == 200
    r = client.post("/nodes", headers={"X-API-Key": keys["admin"]},
                    json={"id": "T9", "kind": "Team", "label": "Admins may plan"})
    assert r.status_code == 201 and r.json()["provenance"]["agent"] == "admin-key"


def test_keys_admin_routes(client: TestClient, admin):
    r = client.post("/keys", headers=admin, json={"name": "qi-hub", "role": "viewer"})
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith("qmsk_") and created["role"] == "viewer"
    assert client.get("/nodes", headers=bearer(key)).status_code == 200
    listed = client.get("/keys", headers=admin).json()
    assert {k["name"] for k in listed} >= {"qi-hub", "admin-key"}
    assert all("key" not in k and "hash" not in k for k in listed)
    assert client.post("/keys", headers=admin,
                       json={"name": "qi-hub", "role": "viewer"}).status_code == 409
    assert client.post("/keys", headers=admin,
                       json={"name": "x", "role": "root"}).status_code == 422
    assert client.delete(f"/keys/{created['id']}", headers=admin).status_code == 204
    assert client.get("/nodes", headers=bearer(key)).status_code == 401
    assert client.delete(f"/keys/{created['id']}", headers=admin).status_code == 404
    revoked = next(k for k in client.get("/keys", headers=admin).json()
                   if k["id"] == created["id"])
    assert revoked["revoked"]


def test_keys_are_stored_hashed(tmp_path: Path):
    ks = KeyStore(tmp_path / "k.db")
    info, key = ks.create("alice", "planner")
    assert ks.verify(key) == info
    assert ks.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert ks.verify("qmsk_" + info.id + "_short") is None
    ks.close()
    raw = (tmp_path / "k.db").read_bytes()
    assert key.encode() not in raw and key.split("_")[-1].encode() not in raw
    assert (tmp_path / "k.db").stat().st_mode & 0o077 == 0
    row = sqlite3.connect(tmp_path / "k.db").execute("SELECT hash FROM api_keys").fetchone()
    assert len(row[0]) == 64


def test_keys_revoked_in_another_process_stop_at_once(app: FastAPI, client: TestClient, keys):
    path = app.state.qmsgraph.keys.path
    other = KeyStore(path)  # as the CLI would, from another process
    other.revoke("planner-key")
    other.close()
    assert client.get("/nodes", headers=bearer(keys["planner"])).status_code == 401


def test_require_role_is_reusable(app: FastAPI, keys):
    @app.get("/extra", dependencies=[Depends(require_role("viewer"))])
    def extra() -> dict[str, bool]:
        return {"ok": True}

    with TestClient(app) as c:
        assert c.get("/extra").status_code == 401
        assert c.get("/extra", headers=bearer(keys["viewer"])).json() == {"ok": True}
    assert require_role("viewer") is require_role("viewer")
    with pytest.raises(ValueError):
        require_role("owner")  # type: ignore[arg-type]


def test_a_remembered_key_revoked_elsewhere_stops_at_once(tmp_path):
    """verify() remembers keys, but a revocation - by this keys file's connection or by
    another process's - is seen on the next request."""
    from qmsgraph.api.keys import KeyStore

    path = tmp_path / "k.keys"
    server, other = KeyStore(path), KeyStore(path)
    info, key = server.create("svc", "viewer")
    info2, key2 = server.create("svc2", "viewer")
    assert server.verify(key) == info and server.verify(key) == info  # remembered
    other.revoke(info.id)
    assert server.verify(key) is None
    assert server.verify(key2) == info2
    server.revoke(info2.id)
    assert server.verify(key2) is None
    server.close()
    other.close()
