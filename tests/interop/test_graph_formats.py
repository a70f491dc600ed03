"""GraphML, GEXF and Cytoscape.js JSON, each read by its tools' own readers.

Expectations come from the graph's model objects, not from the writer: every node, edge and
attribute (fields of the kind, description, measure data, provenance) must arrive.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import networkx as nx
import pytest

from qmsgraph.graph import QMSGraph

from .conftest import HERE, Tools


def _value(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if isinstance(v, bool | int | float | str):
        return v
    return str(v)


def expected_nodes(graph: QMSGraph) -> dict[str, dict[str, Any]]:
    out = {}
    for n in graph.nodes():
        d = {"kind": n.kind, "label": n.label, "source_file": n.provenance.source}
        if n.description:
            d["description"] = n.description
        d.update({k: _value(v) for k, v in n.attributes().items()})
        if getattr(n, "data", None):
            d["data"] = [[p.date.isoformat(), p.value] for p in n.data]
        out[n.id] = d
    return out


def expected_edges(graph: QMSGraph) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = {}
    for e in graph.edges():
        d = {"source_file": e.provenance.source}
        if e.provenance.reason:
            d["reason"] = e.provenance.reason
        out[(e.source, e.kind, e.target)] = d
    return out


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and not isinstance(want, bool):
        return isinstance(got, int | float) and abs(got - want) < 1e-9 * max(1, abs(want))
    return got == want


def assert_keeps_everything(read: dict, graph: QMSGraph, reader: str) -> None:
    """``read``: {"nodes": {id: attrs}, "edges": {id: {source, target, attrs}}}."""
    want_nodes = expected_nodes(graph)
    assert set(read["nodes"]) == set(want_nodes), f"{reader}: nodes differ"
    lost = []
    for nid, want in want_nodes.items():
        got = dict(read["nodes"][nid])
        if "data" in got:
            got["data"] = json.loads(got["data"])
        lost += [f"node {nid} {k}: {got.get(k)!r} != {v!r}" for k, v in want.items()
                 if not _same(got.get(k), v)]
    want_edges = expected_edges(graph)
    got_edges = {}
    for eid, e in read["edges"].items():
        key = (e["source"], e["attrs"]["kind"], e["target"])
        assert key not in got_edges, f"{reader}: edge {key} read twice"
        got_edges[key] = e["attrs"]
        assert e["attrs"].get("id", eid) == eid
    assert len(read["edges"]) == len(list(graph.edges())), f"{reader}: edges lost"
    assert set(got_edges) == set(want_edges), f"{reader}: edges differ"
    for key, want in want_edges.items():
        lost += [f"edge {key} {k}: {got_edges[key].get(k)!r} != {v!r}"
                 for k, v in want.items() if got_edges[key].get(k) != v]
    assert not lost, f"{reader} lost {len(lost)} value(s): {lost[:5]}"


# ------------------------------------------------------------------------------ GraphML

def test_graphml_is_valid_against_the_graphml_1_0_xsd(tools: Tools, exported):
    out = tools.xmllint("graphml.xsd", exported["graphml"])
    errors = [line for line in out.stderr.splitlines() if "error" in line.lower()]
    assert out.returncode == 0, f"{len(errors)} schema error(s), first: {errors[:3]}"


def test_graphml_jgrapht_validating_importer_reads_every_node_and_edge(tools: Tools,
                                                                        exported,
                                                                        example_graph):
    out = tools.java(str(HERE / "java" / "ReadGraphML.java"), str(exported["graphml"]))
    assert out.returncode == 0, out.stderr[-2000:]
    read = json.loads(out.stdout)
    assert read["nodes"] == len(list(example_graph.nodes())) == 368
    assert read["edges"] == len(list(example_graph.edges())) == 962
    assert read["edge_attrs"]["kind"] == 962
    assert read["edge_attrs"]["source_file"] == 962
    assert read["node_attrs"]["label"] == read["node_attrs"]["kind"] == 368


def test_graphml_graphology_keeps_every_node_edge_and_attribute(tools: Tools, exported,
                                                                example_graph):
    read = tools.read_graph("graphml", exported["graphml"])
    assert read["multi"] and read["type"] == "directed"
    assert_keeps_everything(read, example_graph, "graphology-graphml")


def test_graphml_networkx_reads_it_back(exported, example_graph):
    g = nx.read_graphml(exported["graphml"], force_multigraph=True)
    assert g.number_of_nodes() == len(list(example_graph.nodes()))
    assert g.number_of_edges() == len(list(example_graph.edges()))


def _gephi(tools: Tools, file, *args: str) -> dict:
    out = subprocess.run(["java", "-Xmx1g", "-Djava.awt.headless=true", "-cp", tools.gephi,
                          str(HERE / "java" / "ReadGephi.java"), str(file), *args],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_gephi_toolkit_imports_every_node_edge_and_attribute(tools: Tools, exported,
                                                             example_graph, fmt):
    """Gephi's importers, with the import dialog's "Don't merge" for parallel edges (edges
    of different kinds between the same two nodes); by default Gephi merges those."""
    read = _gephi(tools, exported[fmt], "--no-merge")
    assert read["nodes"] == len(list(example_graph.nodes()))
    assert read["edges"] == len(list(example_graph.edges()))
    problems = [i for i in read["issues"] if not i.startswith("INFO")]
    assert problems == []
    assert {"kind", "source_file", "recorded_at"} <= set(read["edge_columns"])
    fields = {k for n in example_graph.nodes() for k in n.attributes()}
    assert fields | {"kind", "source_file", "data", "description"} <= set(read["node_columns"])


# ------------------------------------------------------------------------------ GEXF

def test_gexf_is_valid_against_the_gexf_1_2_xsd(tools: Tools, exported):
    out = tools.xmllint("gexf.xsd", exported["gexf"])
    assert out.returncode == 0, out.stderr[-2000:]


def test_gexf_graphology_keeps_every_node_edge_and_attribute(tools: Tools, exported,
                                                             example_graph):
    read = tools.read_graph("gexf", exported["gexf"])
    assert_keeps_everything(read, example_graph, "graphology-gexf (Gephi Lite)")
    assert all(e["attrs"]["label"] == e["attrs"]["kind"] for e in read["edges"].values())


# ------------------------------------------------------------------------------ Cytoscape.js

def test_cyjs_cytoscape_keeps_every_node_edge_and_attribute(tools: Tools, exported,
                                                            example_graph):
    read = tools.read_graph("cyjs", exported["cyjs"])
    assert_keeps_everything(read, example_graph, "cytoscape.js")


def test_cyjs_provenance_does_not_collide_with_edge_ends(tools: Tools, exported,
                                                         example_graph):
    """Cytoscape reserves data.source/target for an edge's ends: provenance is source_file."""
    read = tools.read_graph("cyjs", exported["cyjs"])
    for e in read["edges"].values():
        assert e["attrs"]["source"] == e["source"] and e["attrs"]["target"] == e["target"]
        assert e["attrs"]["source_file"]
