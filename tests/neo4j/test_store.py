"""The Neo4j store: the data model on the server, transactions and the same errors as the
embedded store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qmsgraph.errors import ConflictError, NotFoundError, StoreError, ValidationError
from qmsgraph.io.readers import load_files, read_files
from qmsgraph.model import make_edge, make_node
from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph, open_store
from qmsgraph.stores.neo4j import (
    Neo4jStore,
    batch_contents,
    label,
    plan,
    redact,
    rel_type,
    split_uri,
)

from .randgraph import random_graph

pytestmark = pytest.mark.neo4j


def _load_both(neo: Neo4jStore, lite: SQLiteStore, path: Path) -> None:
    """The same changes (same provenance times) into both stores."""
    changes = read_files([path], lite.graph())
    neo.apply(changes)
    lite.apply(changes)


def _counts(result) -> dict:
    """An ApplyResult without its versions (each store has its own version clock)."""
    return {k: v for k, v in result.as_dict().items() if k != "versions"}


def _errors(store, changes: ChangeSet) -> tuple[type, str, list[str] | None]:
    try:
        store.apply(changes)
    except (ValidationError, ConflictError, NotFoundError) as err:
        return type(err), str(err), getattr(err, "problems", None)
    return type(None), "", None


def test_data_model_on_the_server(neo: Neo4jStore, mini_yaml: Path):
    load_files(neo, [mini_yaml])
    rows = neo.query("MATCH (n:QMSNode) RETURN n.id AS id, labels(n) AS labels, "
                     "properties(n) AS p ORDER BY id")
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 12
    team = next(r for r in rows if r["p"]["kind"] == "Team")
    assert set(team["labels"]) == {"QMSNode", "Team", "OrganisationalUnit"}
    m1 = by_id["M1"]["p"]
    assert m1["data_n"] == len(m1["data_dates"]) == len(m1["data_values"]) > 0
    assert m1["data_last"] == m1["data_dates"][-1]
    assert type(m1["data_last"]).__name__ == "Date"
    assert type(m1["prov_at"]).__name__ == "DateTime"
    assert m1["version"] == neo.version("M1") >= 1
    rels = neo.query("MATCH (a:QMSNode)-[r]->(b:QMSNode) RETURN type(r) AS k, "
                     "properties(r) AS p LIMIT 1")
    assert rels[0]["p"]["prov_source"].endswith("mini.yaml")
    names = {r["name"] for r in neo.query("SHOW INDEXES YIELD name RETURN name")}
    assert {"qmsgraph_node_id", "qmsgraph_node_kind", "qmsgraph_node_status"} <= names


def test_round_trip_is_lossless(neo: Neo4jStore, lite: SQLiteStore):
    g = random_graph(11)
    changes = changes_from_graph(g)
    neo.apply(changes)
    lite.apply(changes)
    assert neo.graph() == lite.graph() == g
    m = next(n for n in g.nodes("Measure") if n.data)
    assert neo.get_node(m.id) == m
    assert neo.stats() == lite.graph().stats()


def test_same_validation_errors_as_the_embedded_store(neo: Neo4jStore, lite: SQLiteStore,
                                                      mini_yaml: Path):
    _load_both(neo, lite, mini_yaml)
    bad = ChangeSet(source="edit.yaml")
    bad.node(make_node({"kind": "Objective", "id": "O9", "label": "new"}), "edit.yaml:1")
    bad.node(make_node({"kind": "Objective", "id": "G1", "label": "dup"}), "edit.yaml:2")
    bad.delete_nodes.append(("M1", None, None))
    bad.edge(make_edge("serves", "ward-7", "purpose"), "edit.yaml:4")  # not allowed
    bad.edge(make_edge("indicates", "M1", "G1"), "edit.yaml:5")         # M1 deleted above
    bad.edge(make_edge("contributesTo", "O9", "ghost"), "edit.yaml:6")
    bad.delete_edges.append((("G1", "serves", "nobody"), "edit.yaml:7"))
    e_neo, e_lite = _errors(neo, bad), _errors(lite, bad)
    assert e_neo[0] is ValidationError
    assert e_neo == e_lite
    assert "edit.yaml:4" in e_neo[1]
    assert neo.graph() == lite.graph()  # nothing written


def test_kind_change_is_checked_against_existing_edges(neo: Neo4jStore, lite: SQLiteStore,
                                                       mini_yaml: Path):
    _load_both(neo, lite, mini_yaml)
    g = lite.graph()
    goal = next(n for n in g.nodes("StrategicGoal"))
    change = ChangeSet()
    change.update_nodes.append((make_node({"kind": "Objective", "id": goal.id,
                                           "label": "now an objective"}), None, "x.yaml:1"))
    assert _errors(neo, change) == _errors(lite, change)


def test_updates_deletes_versions_and_conflicts(neo: Neo4jStore, lite: SQLiteStore,
                                                mini_yaml: Path):
    _load_both(neo, lite, mini_yaml)

    def edit(expected: int) -> ChangeSet:
        cs = ChangeSet()
        cs.update_nodes.append((make_node({"kind": "StrategicGoal", "id": "G1", "label": "v2",
                                           "status": "retired",
                                           "deadline": dt.date(2030, 1, 1)}), expected, None))
        cs.delete_edges.append((("ward-7", "monitors", "M1"), None))
        cs.node(make_node({"kind": "Objective", "id": "O2", "label": "Fewer pressure ulcers"}))
        cs.edge(make_edge("contributesTo", "O2", "G1"))
        return cs

    before = neo.version("G1")
    on_neo, on_lite = edit(before), edit(lite.version("G1"))
    result = neo.apply(on_neo)
    assert _counts(result) == _counts(lite.apply(on_lite))
    assert neo.version("G1") == result.versions["G1"] == result.versions["O2"] > before
    assert neo.graph() == lite.graph()
    assert neo.query("MATCH (g:StrategicGoal {id: 'G1'}) RETURN g.status AS s")[0]["s"] == \
        "retired"
    for s, cs in ((neo, on_neo), (lite, on_lite)):
        with pytest.raises(ConflictError, match="has changed"):
            s.apply(cs)  # still claims the old version
    with pytest.raises(NotFoundError):
        neo.version("nope")
    # Change a node's kind: its kind labels follow.
    cs = ChangeSet()
    cs.update_nodes.append((make_node({"kind": "Directorate", "id": "ward-7",
                                       "label": "now a directorate"}), None, None))
    assert _counts(neo.apply(cs)) == _counts(lite.apply(cs))
    labels = neo.query("MATCH (n:QMSNode {id: 'ward-7'}) RETURN labels(n) AS l")[0]["l"]
    assert set(labels) == {"QMSNode", "Directorate", "OrganisationalUnit"}
    cs = ChangeSet()
    cs.delete_nodes.append(("M1", None, None))
    assert _counts(neo.apply(cs)) == _counts(lite.apply(cs))
    assert neo.graph() == lite.graph()
    # Versions are never reused, not even for a node deleted and created again.
    seen = neo.version("G1")
    again = ChangeSet().node(make_node({"kind": "Measure", "id": "M1", "label": "back",
                                        "measure_type": "outcome"}))
    neo.apply(again)
    assert neo.version("M1") > seen
    # Updating or deleting a node that does not exist is NotFound, as in the embedded store.
    missing = ChangeSet()
    missing.delete_nodes.append(("ghost", None, "x.yaml:3"))
    assert _errors(neo, missing) == _errors(lite, missing)
    assert _errors(neo, missing)[0] is NotFoundError


def test_dry_run_writes_nothing(neo: Neo4jStore, mini_yaml: Path):
    rev = neo.revision()
    result = load_files(neo, [mini_yaml], dry_run=True)
    assert result.dry_run and result.nodes_added == 12
    assert len(neo.graph()) == 0
    assert neo.revision() == rev


def test_graph_is_cached_until_someone_writes(neo: Neo4jStore, neo4j_env: dict[str, str],
                                              mini_yaml: Path):
    load_files(neo, [mini_yaml])
    g = neo.graph()
    assert neo.graph() is g
    other = Neo4jStore(neo4j_env["QMSGRAPH_NEO4J_URI"])
    try:
        cs = ChangeSet().node(make_node({"kind": "Objective", "id": "O7", "label": "other"}))
        other.apply(cs)
    finally:
        other.close()
    assert "O7" in neo.graph()


def test_batched_load_resumes_after_a_failed_batch(neo: Neo4jStore, lite: SQLiteStore):
    """Each batch is one transaction; applying the same changes again writes the rest."""
    g = random_graph(5)
    changes = changes_from_graph(g, "resumable")
    neo.batch_size = 40
    batches = plan(changes, {}, neo.batch_size)
    assert len(batches) > 4
    real = neo._run_ops
    calls = {"n": 0}

    def failing(tx, ops, tick):
        calls["n"] += 1
        real(tx, ops, tick)
        if calls["n"] == 3:  # the third batch fails after writing: it must roll back
            raise StoreError("cannot reach Neo4j at bolt://test: simulated")

    neo._run_ops = failing
    with pytest.raises(StoreError, match="2 of .* batches .* committed"):
        neo.apply(changes)
    neo._run_ops = real
    [journal] = neo.pending_loads()
    assert sorted(journal["done"]) == [0, 1]
    present = {r["id"] for r in neo.query("MATCH (n:QMSNode) RETURN n.id AS id")}
    for i, ops in enumerate(batches):
        nodes, _ = batch_contents(ops)
        assert (nodes <= present) if i < 2 else not (nodes & present), i
    result = neo.apply(changes)  # the same load again: writes batches 2..n only
    assert result.nodes_added == len(g)
    assert neo.pending_loads() == []
    lite.apply(changes)
    assert neo.graph() == lite.graph()
    # A different load over the same ids is still refused as duplicates.
    with pytest.raises(ConflictError, match="duplicate id"):
        neo.apply(changes_from_graph(random_graph(5), "again"))


def test_uris_credentials_and_database(neo4j_env: dict[str, str], neo: Neo4jStore):
    uri, user, pw = (neo4j_env[k] for k in ("QMSGRAPH_NEO4J_URI", "QMSGRAPH_NEO4J_USER",
                                           "QMSGRAPH_NEO4J_PASSWORD"))
    host = uri.split("://", 1)[1]
    assert split_uri(f"bolt://{user}:{pw}@{host}?database=neo4j") == (
        f"bolt://{host}", user, pw, "neo4j")
    assert redact("neo4j+s://u:secret@h:7687") == "neo4j+s://h:7687"
    s = open_store(f"neo4j://{user}:{pw}@{host}?database=neo4j")
    try:
        assert isinstance(s, Neo4jStore)
        assert pw not in s.url and s.url == f"neo4j://{host}"
        assert len(s.graph()) == 0
    finally:
        s.close()
    with pytest.raises(StoreError, match="refused the credentials") as info:
        Neo4jStore(f"bolt://{host}", user=user, password=pw + "-wrong")
    assert pw not in str(info.value)
    with pytest.raises(StoreError, match="not a Neo4j URI"):
        split_uri("http://example.org")


def test_unreachable_server_is_a_clear_store_error():
    with pytest.raises(StoreError, match=r"cannot reach Neo4j at bolt://127\.0\.0\.1:7699"):
        Neo4jStore("bolt://neo4j:some-password@127.0.0.1:7699", retry_seconds=1,
                   connect_timeout=2)


def test_labels_and_types_come_only_from_the_ontology():
    assert label("Team") == "`Team`"
    assert rel_type("alignsTo") == "`alignsTo`"
    for bad in ("Team`) DETACH DELETE (n", "Nope", ""):
        with pytest.raises(ValidationError):
            label(bad)
        with pytest.raises(ValidationError):
            rel_type(bad)


def test_values_are_parameters_not_cypher(neo: Neo4jStore, lite: SQLiteStore):
    nasty = "x' }) DETACH DELETE n //"
    cs = ChangeSet()
    cs.node(make_node({"kind": "Objective", "id": "O1", "label": nasty,
                       "description": "`QMSNode`) MATCH (m) DETACH DELETE m //"}))
    neo.apply(cs)
    lite.apply(cs)
    assert neo.graph() == lite.graph()
    assert neo.get_node("O1").label == nasty


def test_clear_and_open_store_routes_uris(neo: Neo4jStore, mini_yaml: Path):
    load_files(neo, [mini_yaml])
    neo.clear()
    assert len(neo.graph()) == 0 and neo.stats()["nodes"] == 0
