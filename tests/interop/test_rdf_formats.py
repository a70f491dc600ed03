"""Turtle and JSON-LD read by PyLD and Apache Jena (riot, SHACL), then checked and re-loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from pyld import jsonld
from rdflib import XSD, Graph, Literal
from rdflib.compare import isomorphic

from qmsgraph.io.rdf import QMS, shacl_validate, to_rdf

from .conftest import REPO, Tools

BIN = Path(sys.executable).parent / "qmsgraph"
SHAPES = REPO / "ontology" / "shapes.ttl"
ONTOLOGY = REPO / "ontology" / "qms.ttl"
DOUBLE_PREDICATES = (QMS.value, QMS.target)


def _datatypes(g: Graph) -> Counter:
    return Counter((p, o.datatype) for _, p, o in g if p in DOUBLE_PREDICATES)


def _riot(tools: Tools, *args: str) -> subprocess.CompletedProcess[str]:
    return tools.java("riotcmd.riot", "--strict", *args)


def _jena_shacl(tools: Tools, data: Path, tmp: Path) -> str:
    """Jena SHACL over the data and the ontology (merged by riot, as pySHACL's ont_graph)."""
    merged = _riot(tools, "--output=ntriples", str(data), str(ONTOLOGY))
    assert merged.returncode == 0, merged.stderr[-2000:]
    (tmp / "merged.nt").write_text(merged.stdout)
    out = tools.java("shacl.shacl", "validate", "--text", "--shapes", str(SHAPES),
                     "--data", str(tmp / "merged.nt"))
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_jsonld_through_pyld_keeps_every_double_and_conforms(exported, example_graph):
    doc = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    g = Graph().parse(data=nquads, format="nt")  # the default graph only
    ours = to_rdf(example_graph)
    want = _datatypes(ours)
    assert {dt for _, dt in want} == {XSD.double} and sum(want.values()) > 400
    assert _datatypes(g) == want, "PyLD read numbers with other datatypes"
    assert isomorphic(g, ours)
    assert shacl_validate(g) == []  # pySHACL with the project's shapes and ontology


def test_turtle_jena_riot_strict_reads_every_triple_without_warnings(tools: Tools, exported,
                                                                     example_graph):
    out = _riot(tools, "--count", str(exported["ttl"]))
    assert out.returncode == 0 and "WARN" not in out.stderr, out.stderr[-2000:]
    n = len(to_rdf(example_graph))
    assert f"Triples = {n:,}" in out.stdout + out.stderr


def test_jsonld_jena_riot_reads_doubles_and_jena_shacl_conforms(tools: Tools, exported,
                                                                example_graph, tmp_path):
    out = _riot(tools, "--output=ntriples", str(exported["jsonld"]))
    assert out.returncode == 0 and "WARN" not in out.stderr, out.stderr[-2000:]
    g = Graph().parse(data=out.stdout, format="nt")
    assert _datatypes(g) == _datatypes(to_rdf(example_graph))
    assert _jena_shacl(tools, exported["jsonld"], tmp_path) == "Conforms"


def test_turtle_jena_shacl_conforms(tools: Tools, exported, tmp_path):
    assert _jena_shacl(tools, exported["ttl"], tmp_path) == "Conforms"


def test_turtle_that_jena_writes_from_the_jsonld_loads_back(tools: Tools, exported,
                                                            example_graph, tmp_path):
    out = _riot(tools, "--output=turtle", str(exported["jsonld"]))
    assert out.returncode == 0, out.stderr[-2000:]
    ttl = tmp_path / "from-jena.ttl"
    ttl.write_text(out.stdout, encoding="utf-8")
    store = tmp_path / "reloaded.qmsdb"
    load = subprocess.run([str(BIN), "load", "--store", str(store), str(ttl)],
                          capture_output=True, text=True, timeout=300)
    assert load.returncode == 0, load.stdout[-2000:] + load.stderr[-2000:]
    from qmsgraph.stores import SQLiteStore

    with SQLiteStore(store) as s:
        back = s.graph()
    assert {n.id for n in back.nodes()} == {n.id for n in example_graph.nodes()}
    assert {e.key for e in back.edges()} == {e.key for e in example_graph.edges()}
    # the same RDF as the original (RDF keeps no order of list fields such as quadruple_aim)
    assert isomorphic(to_rdf(back), to_rdf(example_graph))
    values = [o for _, _, o in to_rdf(back).triples((None, QMS.value, None))]
    assert values and all(isinstance(v, Literal) and v.datatype == XSD.double for v in values)
