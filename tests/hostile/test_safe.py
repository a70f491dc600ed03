"""The hygiene helpers of qmsgraph.io.safe, and the exports that use them, on any text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmsgraph.graph import QMSGraph
from qmsgraph.io import safe
from qmsgraph.io.export import to_graphml
from qmsgraph.model import NODE_CLASSES, Provenance, make_node

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


def _unchecked_team(node_id: str, label: str):
    """A node whose label skipped validation, as a store written before the check (or a
    Neo4j database edited by hand) could hold."""
    return NODE_CLASSES["Team"].model_construct(id=node_id, label=label,
                                                provenance=Provenance())


@settings(max_examples=200, deadline=None)
@given(label=ANY_TEXT, description=ANY_TEXT)
def test_graphml_is_well_formed_for_any_label(label, description):
    g = QMSGraph()
    node = _unchecked_team("T1", label)
    object.__setattr__(node, "description", description or None)
    g.add_node(node)
    root = ET.fromstring(to_graphml(g).encode("utf-8"))
    assert root.tag.endswith("graphml")


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT)
def test_terminal_text_holds_no_control_or_escape(text):
    out = safe.for_terminal(text, markup=False)
    assert not any(ord(c) < 32 and c not in "\t\n" for c in out)
    assert not any(0x7F <= ord(c) <= 0x9F for c in out)
    assert not any(c in out for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]0;title\x07after", "after"),
    ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("a\x9b2Jb", "ab"),
    ("\u202eexe.txt", "exe.txt"),
    ("line\r\nnext", "line\nnext"),
    ("[bold red]not markup[/]", "\\[bold red]not markup\\[/]"),
])
def test_for_terminal(raw, shown):
    assert safe.for_terminal(raw) == shown


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\r=1", "'\r=1"),
    ("-3.5", "-3.5"), ("+4", "+4"), ("plain", "plain"), ("a=b", "a=b"), (7, 7),
    ("\x1b[2J=1", "[2J=1"),
])
def test_csv_cell(cell, written):
    assert safe.csv_cell(cell) == written


@pytest.mark.parametrize(("value", "single_line", "bad"), [
    ("Ward 7", True, False), ("Ward\x007", True, True), ("a\nb", True, True),
    ("a\nb\tc\r", False, False), ("\x1b", False, True), ("\x7f", False, True),
    ("\x85", False, True), ("\u202e", False, True), ("\u2067", False, True),
    ("\ud800", False, True), ("\uffff", False, True), ("é😀\u200f", True, False),
])
def test_text_problem(value, single_line, bad):
    assert (safe.text_problem(value, single_line=single_line) is not None) is bad


def test_every_text_field_of_every_kind_is_checked():
    with pytest.raises(Exception, match="aim: .*control character"):
        make_node({"id": "P", "kind": "ImprovementProject", "label": "ok", "aim": "a\x1bb"})
    with pytest.raises(Exception, match="unit_of_measure: .*control character"):
        make_node({"id": "M", "kind": "Measure", "label": "ok", "measure_type": "outcome",
                   "unit_of_measure": "\x00"})
    assert Provenance(reason="why\x1b[2J\x00").reason == "why[2J"


def test_entity_expansion_bounds():
    ns = '<!DOCTYPE r [<!ENTITY xsd "http://www.w3.org/2001/XMLSchema#">]><r a="&xsd;"/>'
    assert safe.xml_entity_problems(ns) == []  # the namespace entities tools write are fine
    loop = '<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]><r>&a;</r>'
    assert "refers to itself" in safe.xml_entity_problems(loop)[0]
    param = '<!DOCTYPE r [<!ENTITY % p "x">]><r/>'
    assert "parameter entity" in safe.xml_entity_problems(param)[0]
    many = '<!DOCTYPE r [<!ENTITY a "' + "x" * 1000 + '">]><r>' + "&a;" * 20_000 + "</r>"
    assert "expansion could reach" in safe.xml_entity_problems(many)[0]
    assert "external DTD" in safe.xml_entity_problems(
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>')[0]


def test_jsonld_contexts_anywhere_are_found():
    assert safe.jsonld_problems({"@context": {"@vocab": "http://x/"}, "@id": "a"}) == []
    assert len(safe.jsonld_problems(
        [{"@graph": [{"@context": [None, "http://x/c"]}]}, {"@context": {"t": {
            "@id": "x", "@context": "file:///etc/passwd"}}}])) == 2


def test_an_encoded_space_in_a_node_iri_names_the_id():
    from qmsgraph.errors import ValidationError
    from qmsgraph.io.rdf import read_rdf_text

    ttl = ("@prefix qms: <https://w3id.org/qmsgraph/ontology#> .\n"
           "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
           '<https://w3id.org/qmsgraph/id/node/Ward%207> a qms:Team ; skos:prefLabel "W" .\n')
    with pytest.raises(ValidationError, match="gives the id 'Ward 7', which is not a valid id"):
        read_rdf_text(ttl, "turtle", "x.ttl")
