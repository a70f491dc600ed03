"""GraphML, GEXF and Cytoscape.js JSON: unique edge ids, provenance names, XML-safe text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from qmsgraph.io.export import export
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore


def _store(tmp_path: Path, mini_yaml: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "g.qmsdb")
    load_files(s, [mini_yaml])
    return s


def test_edge_ids_are_unique_and_stable(tmp_path, mini_yaml):
    with _store(tmp_path, mini_yaml) as s:
        a, b = export(s.graph(), "graphml"), export(s.graph(), "graphml")
    edge_tag = "{http://graphml.graphdrawing.org/xmlns}edge"
    ids = [e.get("id") for e in ET.fromstring(a).iter(edge_tag)]
    assert len(ids) == 16 and len(set(ids)) == 16
    assert a == b


def test_gexf_and_cyjs_carry_every_node_and_edge(tmp_path, mini_yaml):
    with _store(tmp_path, mini_yaml) as s:
        graph = s.graph()
        gexf, cyjs = export(graph, "gexf"), export(graph, "cyjs")
    g = nx.read_gexf(_write(tmp_path / "g.gexf", gexf))
    assert g.number_of_nodes() == 12 and g.number_of_edges() == 16
    elements = json.loads(cyjs)["elements"]
    assert len(elements["nodes"]) == 12 and len(elements["edges"]) == 16
    edge = elements["edges"][0]["data"]
    assert {"id", "source", "target", "kind", "source_file"} <= set(edge)
    assert edge["source_file"].split("@")[0].endswith("mini.yaml")


def test_xml_formats_replace_characters_xml_cannot_hold(tmp_path, mini_yaml):
    with _store(tmp_path, mini_yaml) as s:
        graph = s.graph()
    node = next(iter(graph.nodes()))
    graph.add_node(node.model_copy(update={"id": "odd", "label": "bell\x07 and nul\x00"}))
    for fmt in ("graphml", "gexf"):
        root = ET.fromstring(export(graph, fmt))  # well-formed XML
        texts = [el.text or "" for el in root.iter()] + [
            v for el in root.iter() for v in el.attrib.values()]
        assert any("bell\ufffd and nul\ufffd" == t for t in texts), fmt


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
