"""The interop suite: every export read by a tool this project did not write.

The tools are installed by ``scripts/interop.sh`` (``scripts/test.sh`` runs it), which writes
``.cache/interop/env``. Without it the tests are skipped locally and fail under CI (CI set),
so that CI cannot pass by skipping them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qmsgraph.cli import example_files
from qmsgraph.graph import QMSGraph
from qmsgraph.io.export import export
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import Server, serve

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
FORMATS = {"ttl": "ttl", "jsonld": "jsonld", "graphml": "graphml", "gexf": "gexf",
           "cyjs": "cyjs", "yaml": "yaml"}


@dataclass(frozen=True)
class Tools:
    classpath: str
    gephi: str
    openapi_generator: str
    node_path: str
    vnu: Path
    xsd: Path

    def java(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["java", "-Xmx1g", "-cp", self.classpath, *args],
                              capture_output=True, text=True, timeout=timeout)

    def node(self, script: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["node", str(script), *args], capture_output=True, text=True,
                              timeout=300, env={**os.environ, "NODE_PATH": self.node_path})

    def xmllint(self, xsd: str, file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["xmllint", "--noout", "--nonet", "--schema",
                               str(self.xsd / xsd), str(file)],
                              capture_output=True, text=True, timeout=300)

    def read_graph(self, fmt: str, file: Path) -> dict:
        out = self.node(HERE / "read_graph.cjs", fmt, str(file))
        assert out.returncode == 0, f"the {fmt} reader refused {file.name}: {out.stderr[-2000:]}"
        return json.loads(out.stdout)


@pytest.fixture(scope="session")
def tools() -> Tools:
    cache = Path(os.environ.get("QMSGRAPH_CACHE", REPO / ".cache"))
    env_file = cache / "interop" / "env"
    if not env_file.exists():
        msg = f"interop readers not installed ({env_file} missing): run scripts/interop.sh"
        if os.environ.get("CI"):
            pytest.fail(msg + " -- under CI the interop suite must run, not be skipped")
        pytest.skip(msg)
    env = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    assert "QMSGRAPH_INTEROP_OPENAPI_GENERATOR" in env, "re-run scripts/interop.sh"
    t = Tools(classpath=env["QMSGRAPH_INTEROP_CLASSPATH"], gephi=env["QMSGRAPH_INTEROP_GEPHI"],
              openapi_generator=env["QMSGRAPH_INTEROP_OPENAPI_GENERATOR"],
              node_path=env["QMSGRAPH_INTEROP_NODE_PATH"],
              vnu=Path(env["QMSGRAPH_INTEROP_VNU"]), xsd=Path(env["QMSGRAPH_INTEROP_XSD"]))
    assert t.vnu.exists() and (t.xsd / "graphml.xsd").exists(), "re-run scripts/interop.sh"
    return t


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    """The example organisation (examples/), loaded as `qmsgraph demo` does."""
    s = SQLiteStore(tmp_path_factory.mktemp("interop") / "example.qmsdb")
    load_files(s, example_files())
    yield s
    s.close()


@pytest.fixture(scope="session")
def example_graph(example_store: SQLiteStore) -> QMSGraph:
    return example_store.graph()


@pytest.fixture(scope="session")
def exported(example_graph: QMSGraph, tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, Path]:
    """Every export format of the example organisation, written to files."""
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for fmt, suffix in FORMATS.items():
        out[fmt] = folder / f"northvale.{suffix}"
        out[fmt].write_text(export(example_graph, fmt), encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`qmsgraph serve` in a subprocess on the example organisation, with a key per role."""
    from qmsgraph.api.keys import KeyStore

    folder = tmp_path_factory.mktemp("live")
    store_path = folder / "example.qmsdb"
    with SQLiteStore(store_path) as s:
        load_files(s, example_files())
    ks = KeyStore(f"{store_path}.keys")
    keys = {role: ks.create(f"{role}-interop", role)[1] for role in ("viewer", "planner")}
    ks.close()
    with serve(store_path, keys, folder / "server.log") as srv:
        yield srv
