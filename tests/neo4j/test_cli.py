"""The command line and the API over a Neo4j store: load, audit, export, thread, impact,
check-project, map, serve (the app), push and pull."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.cli import app, example_files
from qmsgraph.stores import SQLiteStore
from qmsgraph.stores.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j
runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def loaded(neo: Neo4jStore, tmp_path: Path, neo4j_env: dict[str, str]):
    """The example organisation pushed from an embedded store to Neo4j with the CLI."""
    uri = neo4j_env["QMSGRAPH_NEO4J_URI"]
    db = tmp_path / "example.qmsdb"
    _run("load", *map(str, example_files()), "--store", str(db))
    out = _run("push", uri, "--from", str(db))
    assert "pushed" in out
    return uri, db


def test_load_audit_export_through_the_cli(neo: Neo4jStore, tmp_path: Path,
                                           neo4j_env: dict[str, str], mini_yaml: Path):
    uri = neo4j_env["QMSGRAPH_NEO4J_URI"]
    out = _run("load", str(mini_yaml), "--store", uri)
    assert "added 12 nodes" in out
    result = runner.invoke(app, ["load", str(mini_yaml), "--store", uri])
    assert result.exit_code == 1 and "duplicate id" in result.output
    db = tmp_path / "peer.qmsdb"
    _run("load", str(mini_yaml), "--store", str(db))
    a = json.loads(_run("audit", "--store", uri, "--format", "json"))
    b = json.loads(_run("audit", "--store", str(db), "--format", "json"))
    assert a == b
    ya = yaml.safe_load(_run("export", "--format", "yaml", "--store", uri))
    yb = yaml.safe_load(_run("export", "--format", "yaml", "--store", str(db)))
    assert sorted(n["id"] for n in ya["nodes"]) == sorted(n["id"] for n in yb["nodes"])
    assert "12" in _run("stats", "--store", uri)


def test_alignment_commands_match_the_embedded_store(loaded, tmp_path: Path):
    uri, db = loaded
    lite = SQLiteStore(db)
    g = lite.graph()
    lite.close()
    project = sorted(n.id for n in g.nodes("ImprovementProject"))[0]
    for cmd in (["thread", project, "--format", "json"], ["impact", project, "--format", "json"]):
        assert json.loads(_run(*cmd, "--store", uri)) == json.loads(_run(*cmd, "--store",
                                                                         str(db)))
    measures = sorted(n.id for n in g.nodes("Measure"))[:2]
    unit = sorted(n.id for n in g.nodes("Team"))[0]
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(yaml.safe_dump({"label": "Try it", "unit": unit,
                                        "measures": measures}))
    cmd = ["check-project", str(proposal), "--format", "json"]
    assert json.loads(_run(*cmd, "--store", uri)) == json.loads(_run(*cmd, "--store", str(db)))
    assert _run("audit", "--store", uri, "--format", "csv") == \
        _run("audit", "--store", str(db), "--format", "csv")


def test_map_from_neo4j(loaded, tmp_path: Path):
    uri, _ = loaded
    out = tmp_path / "map.html"
    _run("map", "--store", uri, "--output", str(out))
    assert out.exists() and "<html" in out.read_text(encoding="utf-8").lower()


def test_pull_into_an_embedded_store(loaded, tmp_path: Path):
    uri, db = loaded
    copy = tmp_path / "copy.qmsdb"
    assert "pulled" in _run("pull", uri, "--to", str(copy))
    a, b = SQLiteStore(copy), SQLiteStore(db)
    try:
        assert a.graph() == b.graph()
    finally:
        a.close()
        b.close()
    result = runner.invoke(app, ["pull", uri, "--to", str(copy)])
    assert result.exit_code == 1 and "duplicate id" in result.output
    assert "pulled" in _run("pull", uri, "--to", str(copy), "--replace")
    result = runner.invoke(app, ["push", uri, "--from", str(db)])
    assert result.exit_code == 1 and "duplicate id" in result.output
    assert "pushed" in _run("push", uri, "--from", str(db), "--replace")


def test_api_over_neo4j(loaded, neo: Neo4jStore, tmp_path: Path):
    uri, db = loaded
    lite = SQLiteStore(db)
    api_neo = create_app(neo, Settings(store=uri, keys=str(tmp_path / "k1.db")))
    api_lite = create_app(lite, Settings(store=str(db), keys=str(tmp_path / "k2.db")))
    try:
        answers = []
        for a in (api_neo, api_lite):
            key = a.state.qmsgraph.keys.create("t", "viewer")[1]
            with TestClient(a) as c:
                h = {"Authorization": f"Bearer {key}"}
                assert c.get("/health").status_code == 200
                r = c.get("/alignment/audit", headers=h)
                assert r.status_code == 200, r.text
                t = c.get("/alignment/thread/QI-001", headers=h)
                answers.append((r.json(), t.status_code, t.json()))
        assert answers[0] == answers[1]
    finally:
        api_neo.state.qmsgraph.keys.close()
        api_lite.state.qmsgraph.keys.close()
        lite.close()


def test_unreachable_server_is_one_clear_line(tmp_path: Path):
    uri = "bolt://neo4j:s3cret-pw@127.0.0.1:7699"
    for args in (["audit", "--store", uri], ["push", uri, "--from", str(tmp_path / "x")],
                 ["pull", uri, "--to", str(tmp_path / "y.qmsdb")]):
        if args[0] == "push":
            SQLiteStore(tmp_path / "x").close()
        proc = subprocess.run([sys.executable, "-m", "qmsgraph.cli", *args],
                              capture_output=True, text=True, timeout=120,
                              env={"QMSGRAPH_NEO4J_RETRY_SECONDS": "1", "PATH": "/usr/bin"})
        assert proc.returncode == 1, proc
        assert "cannot reach Neo4j at bolt://127.0.0.1:7699" in proc.stderr
        assert "Traceback" not in proc.stderr and "s3cret-pw" not in proc.stderr
