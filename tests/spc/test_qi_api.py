"""The measures routes offer every chart type, the annotations and the rebase prompt: in-process
and over HTTP against a real ``qmsgraph serve``."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from qmsgraph.api.app import create_app
from qmsgraph.api.keys import KeyStore
from qmsgraph.api.settings import Settings
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore
from tests.live import BIN, free_port

from .test_qi_measures import model


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    s = SQLiteStore(tmp_path / "a.qmsdb")
    load_files(s, [model(tmp_path)])
    app = create_app(s, Settings(store=str(tmp_path / "a.qmsdb")))
    key = app.state.qmsgraph.keys.create("viewer-key", "viewer")[1]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, {"Authorization": f"Bearer {key}"}
    app.state.qmsgraph.keys.close()
    s.close()


def test_measure_chart_type_annotations_and_prompt(client) -> None:
    c, auth = client
    r = c.get("/measures/M-RA/spc", headers=auth, params={"suggest_rebase": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["chart_type"] == "p" and body["parts"][0]["runs_signal"] is True
    assert [a["node"] for a in body["annotations"]] == ["QI-1", "QI-1.1", "CI-1", "PDSA-1",
                                                        "QI-1"]
    assert body["rebase_prompt"]["proposed"] and body["rebase_prompt"]["change"]["node"] == \
        "PDSA-1"
    r = c.get("/measures/M-UNEXPLAINED/spc", headers=auth, params={"suggest_rebase": True})
    assert r.json()["rebase_prompt"]["proposed"] is False
    r = c.get("/measures/M-RA/spc", headers=auth,
              params={"chart": "run", "rules": "ihi", "part": [12]})
    parts = r.json()["parts"]
    assert r.json()["chart_type"] == "run" and len(parts) == 2 and "ihi" in parts[0]
    x = c.get("/measures/M-X/spc", headers=auth).json()
    assert x["chart_type"] == "xmr" and "groups" in x and x["annotations"][0]["node"] == "PDSA-2"
    bad = c.get("/measures/M-RA/spc", headers=auth, params={"chart": "xbar"})
    assert bad.status_code == 422
    bad = c.get("/measures/M-X/spc", headers=auth, params={"chart": "p"})
    assert bad.status_code == 422 and "denominator" in bad.json()["detail"]


def test_served_chart_flags_link_to_their_nodes(client) -> None:
    c, auth = client
    r = c.get("/measures/M-RA/spc.svg", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    svg = r.text
    assert 'id="spc-mark-4"' in svg and "../../map?view=thread&amp;focus=PDSA-1" in svg
    assert "Safety cross, day shift" in svg
    png = c.get("/measures/M-RA/spc.png", headers=auth, params={"chart": "run"})
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_over_http_against_a_running_server(tmp_path: Path) -> None:
    store = tmp_path / "live.qmsdb"
    s = SQLiteStore(store)
    load_files(s, [model(tmp_path)])
    s.close()
    ks = KeyStore(f"{store}.keys")
    key = ks.create("viewer-live", "viewer")[1]
    ks.close()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMSGRAPH_")}
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--store", str(store), "--port", str(port),
                                 "--log-level", "warning"], stdout=out,
                                stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=60,
                          headers={"Authorization": f"Bearer {key}"}) as h:
            body = h.get("/measures/M-RA/spc", params={"suggest_rebase": "true"}).json()
            assert body["chart_type"] == "p" and body["rebase_prompt"]["proposed"] is True
            assert h.get("/measures/M-RA/spc.png").content[:4] == b"\x89PNG"
            assert httpx.get(url + "/measures/M-RA/spc").status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=15)
