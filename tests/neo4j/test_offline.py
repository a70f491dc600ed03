"""The offline path for a first national load: ``qmsgraph push --offline DIR`` writes CSV files
in ``neo4j-admin database import full`` format, and Neo4j's own importer (from the test
server's jars, via ``scripts/neo4j.sh import``) imports them: every node and relationship.

With ``QMSGRAPH_NEO4J_SPARE_PORT`` set (a free port for a second server), the imported
database is also served and must hold exactly the graph of the embedded store, with the same
audit (one server is all the tests get otherwise: the running one cannot be stopped)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app as cli_app
from qmsgraph.cli import example_files
from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import read_files
from qmsgraph.stores import SQLiteStore, changes_from_graph
from qmsgraph.stores.neo4j import Neo4jStore

from .randgraph import random_graph

pytestmark = pytest.mark.neo4j
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "neo4j.sh"


def _store(path: Path, graph_or_files: object) -> SQLiteStore:
    s = SQLiteStore(path)
    if isinstance(graph_or_files, QMSGraph):
        s.apply(changes_from_graph(graph_or_files))
    else:
        s.apply(read_files(graph_or_files, QMSGraph(), agent="tester"))  # type: ignore[arg-type]
    return s


def _import(csv: Path, target: str) -> tuple[int, int]:
    r = subprocess.run(["bash", str(SCRIPT), "import", str(csv), target], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0 and "IMPORT DONE" in r.stderr, r.stderr[-2000:]
    nodes = int(re.search(r"(\d+) nodes", r.stderr).group(1))  # type: ignore[union-attr]
    rels = int(re.search(r"(\d+) relationships", r.stderr).group(1))  # type: ignore[union-attr]
    return nodes, rels


@pytest.mark.parametrize("which", ["northvale", "random"])
def test_offline_files_import_with_the_real_importer(neo4j_env: dict[str, str],
                                                     tmp_path: Path, which: str) -> None:
    store = _store(tmp_path / "src.qmsdb",
                   example_files() if which == "northvale" else random_graph(5))
    view = store.view()
    n_nodes, n_edges = len(view.ids()), len(view.edge_keys())
    store.close()
    out = tmp_path / "csv"
    r = CliRunner().invoke(cli_app, ["push", "--offline", str(out), "--from",
                                     str(tmp_path / "src.qmsdb")])
    assert r.exit_code == 0, r.output
    assert f"wrote {n_nodes} nodes and {n_edges} edges" in r.output
    header = (out / "nodes-Measure.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id:ID,:LABEL,")
    for col in ("data_dates:date[]", "data_values:double[]", "data_last:date", "version:long",
                "prov_at:datetime", "data_n:long"):
        assert col in header.split(","), col
    assert (out / "rels-improves.csv").read_text(encoding="utf-8").startswith(
        ":START_ID,:END_ID,:TYPE,prov_source,")
    assert _import(out, str(tmp_path / "home")) == (n_nodes, n_edges)
    assert (tmp_path / "home" / "data" / "databases" / "neo4j").is_dir()


def test_push_offline_refuses_a_uri(tmp_path: Path) -> None:
    _store(tmp_path / "src.qmsdb", random_graph(1)).close()
    r = CliRunner().invoke(cli_app, ["push", "bolt://x:1", "--offline", str(tmp_path / "o"),
                                     "--from", str(tmp_path / "src.qmsdb")])
    assert r.exit_code == 1 and "give no URI" in r.output
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(not os.environ.get("QMSGRAPH_NEO4J_SPARE_PORT"),
                    reason="QMSGRAPH_NEO4J_SPARE_PORT not set: no port for a second server")
@pytest.mark.parametrize("seed", [5, 8])
def test_imported_database_holds_the_same_graph(neo4j_env: dict[str, str], tmp_path: Path,
                                                seed: int) -> None:
    port = os.environ["QMSGRAPH_NEO4J_SPARE_PORT"]
    store = _store(tmp_path / "src.qmsdb", random_graph(seed))
    CliRunner().invoke(cli_app, ["push", "--offline", str(tmp_path / "csv"), "--from",
                                 str(tmp_path / "src.qmsdb")])
    subprocess.run(["bash", str(SCRIPT), "stop", port], capture_output=True, check=True)
    subprocess.run(["bash", str(SCRIPT), "start", port], capture_output=True, check=True)
    subprocess.run(["bash", str(SCRIPT), "stop", port], capture_output=True, check=True)
    _import(tmp_path / "csv", port)
    subprocess.run(["bash", str(SCRIPT), "start", port, "--keep-data"], capture_output=True,
                   check=True)
    try:
        neo = Neo4jStore(f"bolt://127.0.0.1:{port}", user=neo4j_env["QMSGRAPH_NEO4J_USER"],
                         password=neo4j_env["QMSGRAPH_NEO4J_PASSWORD"])
        try:
            assert neo.graph() == store.graph()
            assert neo.audit() == store.audit()
            assert neo.matrix() == store.matrix()
        finally:
            neo.close()
    finally:
        store.close()
        subprocess.run(["bash", str(SCRIPT), "stop", port], capture_output=True)
