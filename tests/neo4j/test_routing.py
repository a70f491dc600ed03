"""Cluster readiness against the one Community server the tests run (Community has no
clustering; docs/neo4j.md describes a three-member cluster): the store works through the
routing scheme ``neo4j://`` (the server answers the routing request with itself as writer and
reader), reads run in read transactions (what a cluster routes to followers: a write inside
one is refused by the server), and a client reads its own writes through its bookmarks."""

from __future__ import annotations

import neo4j
import pytest

from qmsgraph.errors import StoreError
from qmsgraph.stores import changes_from_graph
from qmsgraph.stores.neo4j import Neo4jStore

from .randgraph import random_graph

pytestmark = pytest.mark.neo4j


@pytest.fixture
def routed(neo4j_env: dict[str, str], neo: Neo4jStore):
    url = neo4j_env["QMSGRAPH_NEO4J_URI"].replace("bolt://", "neo4j://")
    s = Neo4jStore(url, user=neo4j_env["QMSGRAPH_NEO4J_USER"],
                   password=neo4j_env["QMSGRAPH_NEO4J_PASSWORD"], retry_seconds=5)
    yield s
    s.close()


def test_routing_scheme_reads_its_own_writes(routed: Neo4jStore, neo: Neo4jStore):
    assert routed.url.startswith("neo4j://")
    assert isinstance(routed.driver, neo4j.Neo4jDriver)  # the routing driver
    g = random_graph(4)
    before = set(routed.bookmarks.get_bookmarks())
    routed.apply(changes_from_graph(g))
    after = set(routed.bookmarks.get_bookmarks())
    assert after and after != before  # the write left a bookmark for the next reads
    # the next read session starts from that bookmark: it sees the write at once
    goal = sorted(n.id for n in g.nodes("StrategicGoal"))[0]
    node, version = routed.node_version(goal)
    routed.apply(_relabel(node, version))
    assert routed.get_node(goal).label == "Renamed through neo4j://"
    assert routed.find_nodes(q="renamed through") == [goal]
    # the same answers as through bolt:// (same server)
    assert routed.audit() == neo.audit()
    assert routed.matrix() == neo.matrix()


def _relabel(node, version):
    from qmsgraph.stores import ChangeSet

    return ChangeSet(update_nodes=[(node.model_copy(
        update={"label": "Renamed through neo4j://"}), version, None)])


def test_reads_are_read_transactions(routed: Neo4jStore):
    """What ``read`` runs is a read transaction: the server refuses a write in it (on a
    cluster such a transaction goes to a reader)."""
    with pytest.raises(StoreError, match="(?i)read"):
        routed.read(lambda tx: tx.run("CREATE (:QMSScratch {x: 1})").consume())
    assert routed.query("MATCH (n:QMSScratch) RETURN count(n) AS c")[0]["c"] == 0
