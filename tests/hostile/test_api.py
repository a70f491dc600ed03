"""The hostile corpus through the API in-process (TestClient): every refused file is a 422
problem naming it (a 200 report with ``valid: false`` on a dry run), nothing is fetched or
read, and parsing never holds the store's write lock. Also the API's share of the Low list:
labels with control characters, the last admin key, /docs headers, 401 before 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import qmsgraph.api.routes.exchange as exchange

from ..api.conftest import bearer
from .corpus import ACCEPTED, REFUSED, SECRET, content

BAD_LABELS = ["Ward\x00 7", "\x1b[31mWard 7", "Ward \u202etxt.exe", "two\nlines", "bell\x07",
              "c1\x9b2J"]


def _import(client: TestClient, headers: dict, name: str, text: str, dry_run: bool = False):
    return client.post("/import", headers=headers, json={
        "files": [{"name": name, "content": text}], "dry_run": dry_run})


@pytest.mark.parametrize("name", list(REFUSED))
@pytest.mark.usefixtures("bounded_memory")
def test_refused_file_is_a_problem_naming_it(client, planner, listener, secret_file, name):
    text = content(name, listener.url, secret_file)
    r = _import(client, planner, name, text)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    messages = [f"{e['location'] or ''} {e['message']}" for e in body["errors"]]
    assert any(name in m for m in messages) or name in body["detail"], body
    for word in REFUSED[name]:
        assert word in body["detail"] or any(word in m for m in messages), (word, body)
    assert SECRET not in r.text and "\x1b" not in r.json()["detail"]
    dry = _import(client, planner, name, text, dry_run=True)
    assert dry.status_code == 200 and dry.json()["valid"] is False
    assert any(name in p for p in dry.json()["problems"])
    assert not listener.contacted()
    assert client.get("/nodes/T1", headers=planner).status_code == 404  # nothing written


@pytest.mark.usefixtures("bounded_memory")
def test_refused_files_as_an_upload(client, planner, listener, secret_file):
    files = [("files", (n, content(n, listener.url, secret_file).encode(), "text/plain"))
             for n in ("alias_bomb.yaml", "entity_bomb.rdf", "remote_context.jsonld")]
    r = client.post("/import/upload", headers=planner, files=files)
    assert r.status_code == 422
    located = " ".join(f"{e['location']} {e['message']}" for e in r.json()["errors"])
    assert all(n in located for n in ("alias_bomb.yaml", "entity_bomb.rdf",
                                      "remote_context.jsonld"))
    assert not listener.contacted()


def test_formula_cells_are_accepted_as_text(client, planner, listener, secret_file):
    name = "formula_projects.csv"
    r = _import(client, planner, name, content(name, listener.url, secret_file))
    assert r.status_code == 200, r.text
    assert r.json()["nodes_added"] == ACCEPTED[name]
    assert client.get("/nodes/QI-F1", headers=planner).json()["label"].startswith("=HYPER")


def test_an_upload_over_the_input_limit_is_refused(client, planner, monkeypatch):
    monkeypatch.setenv("QMSGRAPH_MAX_INPUT_MB", "0.01")
    r = _import(client, planner, "big.yaml", "#" * 20_000 + "\nnodes: []\n")
    assert r.status_code == 422 and "big.yaml" in r.text and "the limit is" in r.text


def test_parsing_runs_outside_the_write_lock(app, client, planner, monkeypatch):
    """The store's write lock (taken by ``apply``: SQLite's BEGIN IMMEDIATE) is taken only
    after every file is parsed."""
    st = app.state.qmsgraph
    held = []
    real_apply = st.store.apply

    def watched_apply(*a, **kw):
        held.append(True)
        try:
            return real_apply(*a, **kw)
        finally:
            held.pop()

    parsed_under_lock = []
    real_parse = exchange.parse_files

    def watched_parse(*a, **kw):
        parsed_under_lock.append(bool(held))
        return real_parse(*a, **kw)

    monkeypatch.setattr(st.store, "apply", watched_apply)
    monkeypatch.setattr(exchange, "parse_files", watched_parse)
    r = _import(client, planner, "t.yaml", "nodes:\n  - {id: T9, kind: Team, label: Nine}\n")
    assert r.status_code == 200, r.text
    assert parsed_under_lock == [False]


@pytest.mark.parametrize("label", BAD_LABELS)
def test_labels_with_control_characters_are_refused_naming_the_field(client, planner, label):
    r = client.post("/nodes", headers=planner, json={"id": "T-bad", "kind": "Team",
                                                     "label": label})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "label" and "control character" in r.json()["detail"]
    got = client.get("/nodes/ward-7", headers=planner)
    r = client.patch("/nodes/ward-7", headers={**planner, "If-Match": got.headers["etag"]},
                     json={"label": label})
    assert r.status_code == 422 and "label" in r.text
    desc = client.post("/nodes", headers=planner, json={
        "id": "T-ok", "kind": "Team", "label": "Fine", "description": "two\nlines\tok"})
    assert desc.status_code == 201  # line breaks and tabs stay allowed in descriptions
    client.delete("/nodes/T-ok", headers={**planner, "If-Match": desc.headers["etag"]})


def test_graphml_export_is_well_formed(client, planner, viewer):
    import xml.etree.ElementTree as ET

    r = client.post("/nodes", headers=planner, json={
        "id": "T-amp", "kind": "Team", "label": "<Ward> & \"7\" ]]> é 😀"})
    assert r.status_code == 201
    graphml = client.get("/export/graphml", headers=viewer)
    assert graphml.status_code == 200
    ET.fromstring(graphml.content)


def test_the_last_admin_key_cannot_be_revoked(app, client, admin):
    ks = app.state.qmsgraph.keys
    mine = next(k for k in ks.list(include_revoked=False) if k.role == "admin")
    r = client.delete(f"/keys/{mine.id}", headers=admin)
    assert r.status_code == 409 and "last active admin" in r.json()["detail"]
    assert client.get("/keys", headers=admin).status_code == 200  # still works
    second, key2 = ks.create("second-admin", "admin")
    assert client.delete(f"/keys/{mine.id}", headers=admin).status_code == 204
    r = client.delete(f"/keys/{second.id}", headers=bearer(key2))
    assert r.status_code == 409  # now the second one is the last
    assert client.get("/keys", headers=bearer(key2)).status_code == 200


def test_docs_send_csp_and_framing_headers(client):
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/nodes", "/import", "/edges", "/keys"])
def test_a_malformed_body_without_a_key_gets_401_not_422(client, planner, path):
    bad = {"content": b"{not json", "headers": {"content-type": "application/json"}}
    r = client.post(path, **bad)
    assert r.status_code == 401, r.text
    assert "www-authenticate" in r.headers
    r = client.post(path, content=b"{not json", headers={"content-type": "application/json",
                                                          "Authorization": "Bearer qmsk_x"})
    assert r.status_code == 401
    if path != "/keys":  # a planner may write these: with a key, the body's problem shows
        r = client.post(path, content=b"{not json",
                        headers={**planner, "content-type": "application/json"})
        assert r.status_code == 422
