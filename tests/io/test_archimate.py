"""ArchiMate exchange format: real public models in (2.1 ArchiMetal, 3.0 Archisurance),
the work packages of a real model traced to its goals, export validated against the Open
Group's XSD and read back to the same graph. Expectations are computed from the raw XML
with ElementTree here, not by the importer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict, deque
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree
from typer.testing import CliRunner

from qmsgraph.cli import app, example_files
from qmsgraph.errors import ValidationError
from qmsgraph.io.archimate import ELEMENT_KINDS
from qmsgraph.io.archimate_out import to_archimate
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

DATA = Path(__file__).parents[1] / "data" / "archimate"
METAL = DATA / "archimetal-2.1.xml"
SURANCE = DATA / "archisurance-3.0.xml"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"


def raw(path: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """identifier -> type, and (type, source, target) of every relationship."""
    root = ET.parse(path).getroot()
    ns = root.tag[: root.tag.index("}") + 1]
    types = {e.get("identifier"): e.get(XSI) for e in root.iter(ns + "element")}
    rels = [(r.get(XSI).removesuffix("Relationship"), r.get("source"), r.get("target"))
            for r in root.iter(ns + "relationship")]
    return types, rels


def load(tmp_path: Path, *paths: Path, notes: list | None = None):
    s = SQLiteStore(tmp_path / "a.qmsdb")
    load_files(s, list(paths), notes=notes)
    return s


@pytest.mark.parametrize("path", [METAL, SURANCE], ids=["ArchiMetal-2.1", "Archisurance-3.0"])
def test_real_model_element_counts(tmp_path, path):
    types, _ = raw(path)
    notes: list[str] = []
    s = load(tmp_path, path, notes=notes)
    g = s.graph()
    want = Counter(ELEMENT_KINDS[t] for t in types.values() if t in ELEMENT_KINDS)
    got = Counter(n.kind for n in g.nodes())
    assert got == want and sum(got.values()) > 40
    for ident, t in types.items():
        if t in ELEMENT_KINDS:
            assert g.node(ident).kind == ELEMENT_KINDS[t]
    outside = Counter(t for t in types.values() if t not in ELEMENT_KINDS)
    text = " ".join(notes)
    for t, n in outside.items():  # nothing dropped silently
        assert f"{t} {n}" in text
    s.close()


def test_archimetal_counts_by_kind(tmp_path):
    s = load(tmp_path, METAL)
    got = Counter(n.kind for n in s.graph().nodes())
    assert (got["StrategicGoal"], got["AssuranceActivity"], got["PopulationNeed"],
            got["Standard"], got["ImprovementProject"]) == (17, 14, 6, 7, 10)
    s.close()


def test_work_packages_trace_to_the_goals_they_realize(tmp_path):
    types, rels = raw(METAL)
    forward = defaultdict(list)
    for t, a, b in rels:
        if t in ("Realisation", "Influence", "UsedBy"):
            forward[a].append(b)
    expected = {}
    for wp in (i for i, t in types.items() if t == "WorkPackage"):
        seen, q = {wp}, deque([wp])
        while q:
            for nxt in forward[q.popleft()]:
                if nxt not in seen:
                    seen.add(nxt)
                    q.append(nxt)
        expected[wp] = {i for i in seen if types.get(i) == "Goal"}
    assert sum(bool(v) for v in expected.values()) == 2  # two WPs realize goals
    s = load(tmp_path, METAL)
    g = nx.DiGraph((e.source, e.target) for e in s.graph().edges())
    g.add_nodes_from(n.id for n in s.graph().nodes())
    for wp, goals in expected.items():
        for goal in goals:
            assert nx.has_path(g, wp, goal), (wp, goal)
        reached = {n for n in nx.descendants(g, wp) if s.view().kind(n) == "StrategicGoal"}
        assert reached >= goals
    # The model says these projects serve goals, but no measure evidences it: the audit
    # says so rather than calling them aligned.
    rep = s.audit()
    flagged = {f.node for f in rep.findings if f.rule == "declared-not-evidenced"}
    assert flagged == {wp for wp, goals in expected.items() if goals}
    s.close()


def test_work_package_improves_the_processes_its_deliverables_realize(tmp_path):
    s = load(tmp_path, METAL)
    g = s.view()
    # WorkPackage 'Project CRM system' -> Deliverable 'Revised business processes' ->
    # BusinessProcess 'Register order' (id-8659)
    assert g.has_edge("id-8532", "improves", "id-8659")
    e = next(e for e in s.graph().out_edges("id-8532") if e.target == "id-8659")
    assert "Deliverable 'Revised business processes'" in e.provenance.reason
    s.close()


def test_unmapped_relationships_are_reported(tmp_path):
    notes: list[str] = []
    load(tmp_path, SURANCE, notes=notes).close()
    text = " ".join(notes)
    assert "have no qmsgraph relation and were not loaded" in text
    assert "Triggering BusinessProcess 'Register' -> BusinessProcess 'Accept'" in text


def xsd(name: str) -> etree.XMLSchema:
    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            if url.endswith("xml.xsd"):
                return self.resolve_filename(str(DATA / "xsd" / "xml.xsd"), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.parse(str(DATA / "xsd" / name), parser))


def content(g):
    nodes = {n.id: (n.kind, n.model_dump(exclude={"provenance", "data"})) for n in g.nodes()}
    return nodes, {e.key for e in g.edges()}


def test_export_validates_against_the_open_group_xsd_and_reads_back(tmp_path):
    src = SQLiteStore(tmp_path / "src.qmsdb")
    load_files(src, example_files())
    g = src.graph()
    out = tmp_path / "northvale-archimate.xml"
    out.write_text(to_archimate(g), encoding="utf-8")
    schema = xsd("archimate3_Model.xsd")
    assert schema.validate(etree.parse(str(out))), schema.error_log
    back = load(tmp_path, out)
    assert content(back.graph()) == content(g)
    back.close()
    src.close()


def test_export_of_an_imported_real_model_validates(tmp_path):
    s = load(tmp_path, METAL)
    text = to_archimate(s.graph())
    doc = etree.fromstring(text.encode())
    schema = xsd("archimate3_Model.xsd")
    assert schema.validate(doc), schema.error_log
    assert len(doc.findall("{*}elements/{*}element")) == 200
    s.close()


def test_bad_xsd_input_is_caught_by_the_validator():
    """The validator really checks: an element type outside ArchiMate fails."""
    doc = etree.fromstring(
        b'<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.'
        b'w3.org/2001/XMLSchema-instance" identifier="m"><name>x</name><elements><element '
        b'identifier="e1" xsi:type="QualityGoal"><name>g</name></element></elements></model>')
    assert not xsd("archimate3_Model.xsd").validate(doc)


def test_bad_files_name_the_place(tmp_path, store):
    p = tmp_path / "broken.xml"
    p.write_text('<?xml version="1.0"?>\n<model xmlns="http://www.opengroup.org/xsd/'
                 'archimate/3.0/">\n  <elements>\n  </model>\n', encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_files(store, [p])
    assert "broken.xml: line 4" in str(err.value) and "malformed XML" in str(err.value)
    q = tmp_path / "badprop.xml"
    q.write_text(
        '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3'
        '.org/2001/XMLSchema-instance" identifier="m"><name>x</name><elements>'
        '<element identifier="g1" xsi:type="Goal"><name>Zero harm</name><properties>'
        '<property propertyDefinitionRef="p1"><value>sometimes</value></property>'
        '</properties></element></elements><propertyDefinitions><propertyDefinition '
        'identifier="p1" type="string"><name>qmsgraph:status</name></propertyDefinition>'
        '</propertyDefinitions></model>', encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_files(store, [q])
    assert "badprop.xml element 'g1' (Goal 'Zero harm')" in str(err.value)
    assert "status" in str(err.value)
    assert store.stats()["nodes"] == 0


def test_entity_expansion_is_refused(tmp_path, store):
    p = tmp_path / "bomb.xml"
    p.write_text('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
                 '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                 '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>&b;'
                 '</name></model>', encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_files(store, [p])
    assert "bomb.xml" in str(err.value) and "refused" in str(err.value)


def test_cli_load_prints_notes_and_export(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "s.qmsdb")
    r = runner.invoke(app, ["load", str(METAL), "--store", db])
    assert r.exit_code == 0, r.output
    assert "added 200 nodes" in r.output and "note:" in r.output
    r = runner.invoke(app, ["export", "--format", "archimate", "--store", db])
    assert r.exit_code == 0 and r.stdout.startswith("<?xml")
    assert r.stdout.count('xsi:type="Goal"') == 17
