"""Map views on the server: the library's :func:`~qmsgraph.alignment.views.build_view` runs on
the part of the graph the view reads, fetched with parameterised Cypher, never the whole graph
(except the system map, whose answer is every node but people and roles: then only those
nodes' light fields and the edges among them are read, no bodies).

For each view the fetched node set ``S`` holds everything the view's searches can visit, and
every edge among ``S`` is fetched, so the library gives on that small graph exactly what it
gives on the whole graph:

* ``unit``: the unit, the units below it, all units above it, their members, the targets of
  their work edges, and the forward thread closure of those targets;
* ``thread``: the forward thread closure of the focus, what it declares (``alignsTo``) and,
  with ``depth``, the reverse thread closure up to ``depth`` steps;
* ``goal``: the reverse and forward thread closures of the goal;
* ``driver``: the reverse thread closure of the project and what its nodes improve (the
  project's own body is read in full, for its aim);
* ``findings``: as ``system`` or ``unit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import QMSGraph
from .mapping import LIGHT_FIELDS, THREAD, _light_edge, light_list, light_node, rel_type

if TYPE_CHECKING:
    from ...alignment.views import MapView

def _closure(var: str, forward: bool, depth: int | None = None) -> str:
    """A subquery returning the DISTINCT thread closure ``x`` of node ``var`` (pruned)."""
    rng = "*0.." if depth is None else f"*0..{int(depth)}"
    pattern = (f"({var})-[:{THREAD}{rng}]->(x:QMSNode)" if forward
               else f"(x:QMSNode)-[:{THREAD}{rng}]->({var})")
    return f"CALL ({var}) {{ MATCH {pattern} RETURN DISTINCT x }} "


class ServerMaps:
    """Mixin of :class:`Neo4jStore` (uses its ``read`` and ``get_node``)."""

    def _among(self, tx: Any, ids: list[str], g: QMSGraph) -> None:
        """Add the nodes ``ids`` (light) and every edge among them to ``g``."""
        if not ids:
            return
        rec = tx.run(
            "UNWIND $ids AS id MATCH (a:QMSNode {id: id}) "
            f"RETURN collect([{light_list('a')}, "
            "[(a)-[r]->(b:QMSNode) WHERE b.id IN $ids | [type(r), b.id]]]) AS rows",
            ids=ids).single()
        edges = []
        for p, out in rec["rows"]:
            g.g.add_node(p[0], node=light_node(dict(zip(LIGHT_FIELDS, p, strict=True))))
            edges.extend((p[0], k, t) for k, t in out)
        for s, k, t in edges:
            g.g.add_edge(s, t, key=k, edge=_light_edge(k, s, t))

    def _view_ids(self, tx: Any, view: str, focus: str | None, unit: str | None,
                  depth: int | None) -> list[str]:
        """The node set ``S`` of a view (see the module docstring)."""
        from ...alignment.views import LAYER_OF_KIND, PEOPLE, UNIT_WORK_EDGES

        if view in ("system", "findings") and not unit:
            kinds = [k for k, layer in LAYER_OF_KIND.items()
                     if k not in PEOPLE and (depth is None or layer <= depth)]
            return [r["id"] for r in tx.run(
                "MATCH (n:QMSNode) WHERE n.kind IN $kinds RETURN n.id AS id", kinds=kinds)]
        if view in ("unit", "findings"):
            work = "|".join(rel_type(k) for k in UNIT_WORK_EDGES)
            rec = tx.run(
                "MATCH (u:QMSNode {id: $id}) "
                "CALL (u) { MATCH (b:QMSNode)-[:unitOf*0..]->(u) RETURN collect(DISTINCT b) "
                "AS below } "
                "CALL (u) { OPTIONAL MATCH (u)-[:unitOf*1..]->(a:QMSNode) "
                "RETURN collect(DISTINCT a.id) AS above } "
                "CALL (below) { UNWIND below AS b OPTIONAL MATCH (p:QMSNode)-[:memberOf]->(b) "
                "RETURN collect(DISTINCT p) AS people } "
                "WITH below, above, people, below + people AS actors "
                "CALL (actors) { UNWIND actors AS a "
                f"OPTIONAL MATCH (a)-[:{work}]->(w:QMSNode) RETURN collect(DISTINCT w) AS ws }} "
                "CALL (ws) { UNWIND ws AS w " + _closure("w", True)
                + "RETURN collect(DISTINCT x.id) AS reach } "
                "RETURN [b IN below | b.id] + above + [p IN people | p.id] "
                "+ [w IN ws | w.id] + reach AS ids", id=unit).single()
            return [] if rec is None else rec["ids"]
        starts: list[tuple[str, bool, int | None]] = []
        extra = ""
        if view == "thread":
            starts = [("f", True, None)]
            if depth:
                starts.append(("f", False, depth))
            extra = "[(f)-[:alignsTo]->(d:QMSNode) | d.id]"
        elif view == "goal":
            starts = [("f", True, None), ("f", False, None)]
        elif view == "driver":
            starts = [("f", False, None)]
        parts = []
        for i, (var, fwd, d) in enumerate(starts):
            parts.append(_closure(var, fwd, d).replace(
                "RETURN DISTINCT x }", f"RETURN collect(DISTINCT x.id) AS c{i} }}"))
        ids_expr = " + ".join([f"c{i}" for i in range(len(starts))] + ([extra] if extra
                                                                      else [])) or "[]"
        rec = tx.run("MATCH (f:QMSNode {id: $id}) " + "".join(parts)
                     + f"RETURN {ids_expr} AS ids", id=focus).single()
        ids = [] if rec is None else list(rec["ids"])
        if view == "driver" and ids:
            ids += tx.run("UNWIND $ids AS id MATCH (n:QMSNode {id: id})-[:improves]->"
                          "(m:QMSNode) RETURN collect(DISTINCT m.id) AS ms", ids=ids
                          ).single()["ms"]
        return ids

    def map_view(self, view: str, *, focus: str | None = None, unit: str | None = None,
                 depth: int | None = None) -> MapView:
        from ...alignment.views import VIEWS, build_view

        g = QMSGraph()
        known = view in VIEWS and (depth is None or depth >= 0)
        needs = unit if view == "unit" else focus if view in ("thread", "goal", "driver") \
            else "*"
        if known and needs:
            def work(tx: Any) -> None:
                ids = sorted(set(self._view_ids(tx, view, focus, unit, depth)))
                self._among(tx, ids, g)

            self.read(work)
            if view == "driver" and focus in g.g:
                g.g.nodes[focus]["node"] = self.get_node(focus)  # its aim
            g.touch()
        return build_view(g, view, focus=focus, unit=unit, depth=depth)
