"""RDF exchange: lossless round trip, SHACL on import, GraphML and YAML export."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from qmsgraph.errors import ValidationError
from qmsgraph.io.export import export
from qmsgraph.io.rdf import shacl_validate
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore


@pytest.fixture
def loaded(tmp_path: Path, mini_yaml: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "a.qmsdb")
    load_files(s, [mini_yaml], agent="tester", reason="fixture")
    yield s
    s.close()


@pytest.mark.parametrize("fmt,suffix,rdflib_fmt", [("ttl", ".ttl", "turtle"),
                                                   ("jsonld", ".jsonld", "json-ld")])
def test_round_trip_through_a_store_is_isomorphic(loaded, tmp_path, fmt, suffix, rdflib_fmt):
    first = export(loaded.graph(), fmt)
    f = tmp_path / f"model{suffix}"
    f.write_text(first)
    other = SQLiteStore(tmp_path / "b.qmsdb")
    load_files(other, [f])
    assert other.graph() == loaded.graph()  # same nodes, fields, provenance, edges
    second = export(other.graph(), fmt)
    g1 = Graph().parse(data=first, format=rdflib_fmt)
    g2 = Graph().parse(data=second, format=rdflib_fmt)
    assert len(g1) > 100
    assert isomorphic(g1, g2), set(to_isomorphic(g1)) ^ set(to_isomorphic(g2))
    other.close()


def test_provenance_is_carried_as_prov_o(loaded):
    ttl = export(loaded.graph(), "ttl")
    g = Graph().parse(data=ttl, format="turtle")
    q = """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX qms: <https://w3id.org/qmsgraph/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?loc ?who WHERE {
            ?s rdf:subject ?node ; rdf:predicate qms:improves ; qms:sourceLocation ?loc ;
               prov:wasAttributedTo ?a ; prov:generatedAtTime ?t .
            ?a skos:prefLabel ?who .
        }"""
    rows = list(g.query(q))
    project_line = loaded.graph().node("QI-1").provenance.location  # inline edge: its node
    assert project_line.startswith("line ")
    assert [(str(r.loc), str(r.who)) for r in rows] == [(project_line, "tester")]


def test_export_validates_against_the_shapes(loaded):
    assert shacl_validate(loaded.graph()) == []


def test_broken_turtle_is_refused_naming_the_node(loaded, tmp_path):
    ttl = export(loaded.graph(), "ttl")
    # A measure without its measure type, and a serves edge from a team.
    broken = ttl.replace('qms:measureType "outcome"', 'qms:note "no type"')
    broken += ("\n<https://w3id.org/qmsgraph/id/node/ward-7> "
               "<https://w3id.org/qmsgraph/ontology#serves> "
               "<https://w3id.org/qmsgraph/id/node/purpose> .\n")
    f = tmp_path / "broken.ttl"
    f.write_text(broken)
    fresh = SQLiteStore(tmp_path / "c.qmsdb")
    with pytest.raises(ValidationError) as err:
        load_files(fresh, [f])
    text = " ".join(err.value.problems)
    assert "broken.ttl" in text
    assert "node 'M1'" in text and "node 'ward-7'" in text
    assert len(fresh.graph()) == 0
    fresh.close()


def test_graphml_export(loaded, tmp_path):
    f = tmp_path / "g.graphml"
    f.write_text(export(loaded.graph(), "graphml"))
    g = nx.read_graphml(f, force_multigraph=True)
    assert g.number_of_nodes() == 12 and g.number_of_edges() == 16
    assert g.nodes["M1"]["kind"] == "Measure"
    assert g.nodes["G1"]["quality_domains"] == "safe;effective"


def test_yaml_export_loads_back_to_the_same_model(loaded, tmp_path):
    f = tmp_path / "again.yaml"
    f.write_text(export(loaded.graph(), "yaml"))
    other = SQLiteStore(tmp_path / "d.qmsdb")
    load_files(other, [f])
    a, b = loaded.graph(), other.graph()
    assert {n.id: n.model_dump(exclude={"provenance"}) for n in a.nodes()} == {
        n.id: n.model_dump(exclude={"provenance"}) for n in b.nodes()}
    assert {e.key for e in a.edges()} == {e.key for e in b.edges()}
    other.close()
