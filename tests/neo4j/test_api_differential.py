"""Every API route and every CLI command answers the same on Neo4j as on the embedded store:
both example organisations and random graphs are loaded into both stores, then each GET route
(with ids of every kind the route takes), the writes, and the read commands of the command line
are run against each and the answers compared (JSON parsed; pages and charts as text)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.cli import app as cli_app
from qmsgraph.cli import example_files
from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import read_files
from qmsgraph.stores import SQLiteStore, changes_from_graph
from qmsgraph.stores.neo4j import Neo4jStore

from .randgraph import random_graph

pytestmark = pytest.mark.neo4j
ORGS = ["northvale", "eastbrook", "random-3", "random-11"]


def _changes(which: str) -> Any:
    if which == "northvale":
        return read_files(example_files(), QMSGraph(), agent="tester")
    if which == "eastbrook":
        return read_files([Path(example_files()[0]).with_name("eastbrook.yaml")], QMSGraph(),
                          agent="tester")
    return changes_from_graph(random_graph(int(which.split("-")[1])))


@pytest.fixture
def both(request: pytest.FixtureRequest, neo: Neo4jStore, lite: SQLiteStore, tmp_path: Path
         ) -> Iterator[tuple[QMSGraph, list[tuple[TestClient, dict[str, dict[str, str]]]]]]:
    changes = _changes(request.param)
    lite.apply(changes)
    neo.apply(changes)
    apps, clients = [], []
    for i, store in enumerate((neo, lite)):
        a = create_app(store, Settings(store=store.url, keys=str(tmp_path / f"k{i}.db")))
        ks = a.state.qmsgraph.keys
        keys = {r: {"Authorization": f"Bearer {ks.create(r, r)[1]}"}
                for r in ("viewer", "planner")}
        apps.append(a)
        clients.append((TestClient(a, raise_server_exceptions=False).__enter__(), keys))
    yield lite.graph(), clients
    for (c, _), a in zip(clients, apps, strict=True):
        c.__exit__(None, None, None)
        a.state.qmsgraph.keys.close()


def _answer(r: Any) -> tuple[int, Any]:
    ctype = r.headers.get("content-type", "")
    if "json" in ctype:
        body = r.json()
        if isinstance(body, dict):
            body.pop("version", None)
            for item in body.get("items", []) if isinstance(body.get("items"), list) else []:
                if isinstance(item, dict):
                    item.pop("version", None)
        return r.status_code, body
    return r.status_code, r.text


def _canonical(path: str, answer: tuple[int, Any]) -> tuple[int, Any]:
    """Exports list nodes in each store's own order (the embedded store: as loaded; Neo4j: by
    id): the same content, compared as sorted lines."""
    status, body = answer
    if path == "/export/graphml":
        import networkx as nx

        g = nx.parse_graphml(body)
        return status, (sorted((n, sorted(d.items())) for n, d in g.nodes(data=True)),
                        sorted((u, v, sorted(d.items())) for u, v, d in g.edges(data=True)))
    if path.startswith("/export/") and isinstance(body, str):
        return status, sorted(body.splitlines())
    if path.startswith("/export/"):
        return status, _sorted_deep(body)
    return answer


def _sorted_deep(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _sorted_deep(v) for k, v in x.items()}
    if isinstance(x, list):
        return sorted((_sorted_deep(i) for i in x), key=lambda i: json.dumps(i, default=str))
    return x


def _untimed(x: Any) -> Any:
    """Without the times of writes (each store stamps its own write)."""
    if isinstance(x, dict):
        return {k: _untimed(v) for k, v in x.items() if k != "at"}
    if isinstance(x, (list, tuple)):
        return [_untimed(v) for v in x]
    return x


def _paths(g: QMSGraph, rng: random.Random) -> list[str]:
    ids = sorted(g.g.nodes)
    pick = lambda kind, k=3: sorted(rng.sample(  # noqa: E731
        sorted(n.id for n in g.nodes(kind)), min(k, len(list(g.nodes(kind))))))
    units, goals = pick("OrganisationalUnit"), pick("StrategicGoal")
    projects, measures = pick("ImprovementProject"), pick("Measure", 4)
    edges = sorted(e.key for e in g.edges())
    paths = ["/nodes", "/nodes?kind=Measure", "/nodes?status=active", "/nodes?q=falls",
             "/nodes?limit=5&offset=3", "/edges", "/edges?kind=leads", "/alignment/audit",
             "/alignment/matrix", "/alignment/balance", "/alignment/scores", "/board", "/map",
             "/map?view=system&depth=2", "/map?view=findings", "/nodes/nope",
             "/alignment/thread/nope", "/map?view=unit&unit=nope", "/export/yaml",
             "/export/ttl", "/export/graphml", "/export/jsonld", "/export/csv"]
    for u in units:
        paths += [f"/nodes?unit={u}", f"/alignment/audit?unit={u}", f"/map?view=unit&unit={u}",
                  f"/map?view=findings&unit={u}"]
    for x in goals:
        paths += [f"/alignment/goals/{x}/contributors", f"/map?view=goal&focus={x}"]
    for x in projects:
        paths += [f"/map?view=driver&focus={x}", f"/alignment/impact/{x}"]
    for x in [*projects, *measures, *rng.sample(ids, min(5, len(ids)))]:
        paths += [f"/nodes/{x}", f"/alignment/thread/{x}", f"/edges?node={x}",
                  f"/map?view=thread&focus={x}&depth=1"]
    for x in measures:
        paths += [f"/measures/{x}/spc", f"/measures/{x}/spc.svg"]
    for s, k, t in rng.sample(edges, min(5, len(edges))):
        paths += [f"/edges/{s}/{k}/{t}", f"/edges?source={s}&kind={k}"]
    return paths


@pytest.mark.parametrize("both", ORGS, indirect=True)
def test_every_route_answers_the_same(both: Any) -> None:
    g, clients = both
    rng = random.Random(1)
    paths = _paths(g, rng)
    differ = []
    for path in paths:
        got = [_canonical(path, _answer(c.get(path, headers=k["viewer"])))
               for c, k in clients]
        if got[0] != got[1]:
            differ.append((path, got[0][0], got[1][0]))
    assert differ == [], differ
    measures = sorted(n.id for n in g.nodes("Measure"))[:2]
    unit = sorted(n.id for n in g.nodes("Team"))[:1]
    proposal = {"label": "Falls", "measures": measures, "unit": unit[0] if unit else None}
    got = [_answer(c.post("/check-project", headers=k["viewer"], json=proposal))
           for c, k in clients]
    assert got[0] == got[1]


@pytest.mark.parametrize("both", ["northvale"], indirect=True)
def test_writes_answer_the_same(both: Any) -> None:
    g, clients = both
    goal = sorted(n.id for n in g.nodes("StrategicGoal"))[0]
    project = sorted(n.id for n in g.nodes("ImprovementProject"))[0]
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("post", "/nodes", {"json": {"kind": "Objective", "id": "O-diff", "label": "New one"}}),
        ("post", "/nodes", {"json": {"kind": "Objective", "id": "O-diff", "label": "Again"}}),
        ("post", "/edges", {"json": {"source": "O-diff", "kind": "contributesTo",
                                     "target": goal}}),
        ("post", "/edges", {"json": {"source": "O-diff", "kind": "contributesTo",
                                     "target": "nope"}}),
        ("patch", f"/nodes/{project}", {"content": '{"status": "paused"}', "headers": {
            "Content-Type": "application/merge-patch+json", "If-Match": "*"}}),
        ("delete", f"/edges/O-diff/contributesTo/{goal}", {}),
        ("delete", "/nodes/O-diff", {"headers": {"If-Match": "*"}}),
        ("get", "/alignment/audit", {}), ("get", "/nodes?kind=Objective", {}),
    ]
    for method, path, kw in steps:
        got = []
        for c, k in clients:
            headers = {**k["planner"], **kw.get("headers", {})}
            args = {x: y for x, y in kw.items() if x != "headers"}
            got.append(_untimed(_answer(getattr(c, method)(path, headers=headers, **args))))
        assert got[0] == got[1], (method, path)


@pytest.mark.parametrize("which", ["northvale", "random-5"])
def test_every_cli_command_answers_the_same(neo: Neo4jStore, neo4j_env: dict[str, str],
                                            tmp_path: Path, which: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # `spc` writes its chart into the working directory
    db = tmp_path / "lite.qmsdb"
    lite = SQLiteStore(db)
    changes = _changes(which)
    lite.apply(changes)
    neo.apply(changes)
    g = lite.graph()
    lite.close()
    uri = neo4j_env["QMSGRAPH_NEO4J_URI"]
    project = sorted(n.id for n in g.nodes("ImprovementProject"))[0]
    goal = sorted(n.id for n in g.nodes("StrategicGoal"))[0]
    measure = sorted(n.id for n in g.nodes("Measure") if len(n.data) >= 12)[0]
    (tmp_path / "p.yaml").write_text(json.dumps({"label": "x", "measures": [measure]}),
                                     encoding="utf-8")
    runner = CliRunner()
    commands = [["stats"], ["audit"], ["audit", "--format", "json"],
                ["audit", "--format", "csv"], ["thread", project],
                ["thread", project, "--format", "json"], ["impact", project],
                ["contributors", goal], ["balance"], ["scores"], ["matrix"],
                ["check-project", str(tmp_path / "p.yaml")], ["spc", measure],
                ["export", "--format", "yaml"], ["export", "--format", "ttl"],
                ["thread", "nope"]]
    for args in commands:
        out = [runner.invoke(cli_app, [*args, "--store", s]) for s in (uri, str(db))]
        text = [" ".join(o.output.replace(s, "STORE").split())
                for o, s in zip(out, (uri, str(db)), strict=True)]
        if args[0] == "stats":  # the title names the store (wrapped when long)
            text = [t[t.index("┏"):] for t in text]
        if args[0] == "export":  # each store's own node order (see _canonical)
            text = [sorted(o.output.splitlines()) for o in out]
        assert (out[0].exit_code, text[0]) == (out[1].exit_code, text[1]), args
