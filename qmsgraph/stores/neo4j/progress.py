"""Project progress on the server: the neighbourhood the assessment reads (leaders, measures,
the driver diagram's change ideas and PDSA cycles, hand-overs, the units watching the
measures), pulled for the projects asked about only, then assessed by
:mod:`qmsgraph.alignment.progress` exactly as the embedded store does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import QMSGraph
from .mapping import edge_from_props, node_from_props, project, project_edge, rel_type

if TYPE_CHECKING:
    from .store import Neo4jStore

# (edge kind, direction from the frontier) per step; each step starts at what the last found
_STEPS: list[list[tuple[str, str]]] = [
    [("leads", "in"), ("drives", "in"), ("improves", "out"), ("handsOverTo", "out")],
    [("drives", "in")],                      # primary -> secondary drivers
    [("changes", "in")],                     # secondary drivers -> change ideas
    [("tests", "in"), ("improves", "out")],  # change ideas -> PDSA cycles, their measures
    [("monitors", "in")],                    # measures -> the units watching them
]


def recorded_projects(store: Neo4jStore) -> list[str]:
    """Ids of the projects with a recorded progress level."""
    return [r["id"] for r in store.query(
        "MATCH (p:ImprovementProject) WHERE p.progress_recorded IS NOT NULL "
        "RETURN p.id AS id ORDER BY id")]


def progress_graph(store: Neo4jStore, projects: list[str] | None) -> QMSGraph:
    """The projects (all when None) with the nodes and edges their progress depends on."""
    def work(tx: Any) -> QMSGraph:
        if projects is None:
            start = [r["id"] for r in tx.run("MATCH (p:ImprovementProject) RETURN p.id AS id")]
        else:
            start = list(projects)
        edges: set[tuple[str, str, str]] = set()
        seen = set(start)
        frontier = set(start)
        for step in _STEPS:
            found: set[str] = set()
            for kind, way in step:
                pattern = (f"(a:QMSNode)-[r:{rel_type(kind)}]->(b:QMSNode) WHERE "
                           + ("b.id" if way == "in" else "a.id") + " IN $ids")
                for rec in tx.run(f"MATCH {pattern} RETURN a.id AS a, b.id AS b",
                                  ids=sorted(frontier)):
                    edges.add((rec["a"], kind, rec["b"]))
                    found.add(rec["a"] if way == "in" else rec["b"])
            if step[0][0] == "tests":  # the measures of the projects too, for the last step
                found |= {b for a, k, b in edges if k == "improves"}
            frontier = found
            seen |= found
        g = QMSGraph()
        for rec in tx.run(f"MATCH (n:QMSNode) WHERE n.id IN $ids RETURN {project('n')} AS p",
                          ids=sorted(seen)):
            node = node_from_props(rec["p"], store.url)
            g.g.add_node(node.id, node=node)
        keys = [[a, k, b] for a, k, b in sorted(edges) if a in g.g and b in g.g]
        for rec in tx.run(
                "UNWIND $keys AS key MATCH (a:QMSNode {id: key[0]})-[r]->(b:QMSNode {id: "
                f"key[2]}}) WHERE type(r) = key[1] RETURN key, {project_edge('r')} AS p",
                keys=keys):
            a, k, b = rec["key"]
            g.g.add_edge(a, b, key=k, edge=edge_from_props(k, a, b, rec["p"]))
        g.touch()
        return g

    return store.read(work)
