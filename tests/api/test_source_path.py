"""API answers never carry the absolute path of a loaded file (issue 15): provenance names a
file as given (relative), by its path inside the working folder, or by name and content hash.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.cli import app as cli
from qmsgraph.stores import SQLiteStore
from tests.api.conftest import DATA

runner = CliRunner()


def _served(store_path: Path):
    store = SQLiteStore(store_path)
    api = create_app(store, Settings(store=str(store_path)))
    key = api.state.qmsgraph.keys.create("viewer", "viewer")[1]
    return store, api, {"Authorization": f"Bearer {key}"}


def _sources(client: TestClient, headers: dict[str, str]) -> set[str]:
    items = client.get("/nodes?limit=1000", headers=headers).json()["items"]
    assert items
    out = set()
    for item in items[:5]:
        node = client.get(f"/nodes/{item['id']}", headers=headers).json()
        out.add(node["provenance"]["source"])
    edges = client.get("/edges?limit=1000", headers=headers).json()["items"]
    out |= {e["provenance"]["source"] for e in edges}
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's folder holding the model, and a different working folder."""
    folder = tmp_path / "home" / "alice" / "qms"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "mini.yaml", folder / "mini.yaml")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return folder


@pytest.mark.parametrize("given", ["absolute-outside", "absolute-inside", "relative"])
def test_loaded_file_is_named_without_the_machines_path(home: Path, given: str):
    work = Path.cwd()
    if given == "absolute-outside":
        arg, want = str(home / "mini.yaml"), r"mini.yaml@sha256:"
    else:
        (work / "models").mkdir()
        shutil.copy(home / "mini.yaml", work / "models" / "mini.yaml")
        arg = str(work / "models" / "mini.yaml") if given == "absolute-inside" \
            else "models/mini.yaml"
        want = "models/mini.yaml"
    r = runner.invoke(cli, ["load", "--store", str(work / "s.qmsdb"), arg])
    assert r.exit_code == 0, r.output
    store, api, headers = _served(work / "s.qmsdb")
    try:
        with TestClient(api) as client:
            sources = _sources(client, headers)
            body = client.get("/nodes?limit=1000", headers=headers).text
    finally:
        api.state.qmsgraph.keys.close()
        store.close()
    assert sources and all(s.startswith(want) for s in sources), sources
    assert str(work) not in body and "alice" not in body and str(home) not in body


def test_the_demo_store_names_the_example_files_not_the_install_folder(tmp_path: Path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["demo", "--store", "d.qmsdb", "--output", "out"])
    assert r.exit_code == 0, r.output
    store, api, headers = _served(tmp_path / "d.qmsdb")
    try:
        with TestClient(api) as client:
            sources = _sources(client, headers)
    finally:
        api.state.qmsgraph.keys.close()
        store.close()
    assert sources and not any("/" in s for s in sources), sources


def test_an_import_names_a_file_by_its_name_not_the_clients_folders(tmp_path: Path):
    store, api, _ = _served(tmp_path / "s.qmsdb")
    planner = api.state.qmsgraph.keys.create("planner", "planner")[1]
    headers = {"Authorization": f"Bearer {planner}"}
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    try:
        with TestClient(api) as client:
            r = client.post("/import/upload", headers=headers, files=[
                ("files", ("C:\\Users\\alice\\qms\\mini.yaml", text.encode(), "text/yaml"))])
            assert r.status_code == 200, r.text
            sources = _sources(client, headers)
    finally:
        api.state.qmsgraph.keys.close()
        store.close()
    assert sources == {"mini.yaml"}


def test_a_json_import_with_a_folder_in_the_name_is_refused(tmp_path: Path):
    store, api, _ = _served(tmp_path / "s.qmsdb")
    planner = api.state.qmsgraph.keys.create("planner", "planner")[1]
    headers = {"Authorization": f"Bearer {planner}"}
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    try:
        with TestClient(api) as client:
            r = client.post("/import", headers=headers, json={"files": [
                {"name": "/home/alice/qms/mini.yaml", "content": text}]})
            assert r.status_code == 422 and r.json()["field"] == "body.files.0.name", r.text
            assert client.get("/nodes", headers=headers).json()["total"] == 0
    finally:
        api.state.qmsgraph.keys.close()
        store.close()
