"""List-and-filter and portfolio questions on the server: ``find_nodes``, ``find_edges``,
``unit_scope``, ``matrix``, ``balance`` and ``scores`` in Cypher with parameters only, so
none of them reads the whole graph into Python (definitions: :mod:`qmsgraph.stores.queries`
and :mod:`qmsgraph.alignment.portfolio`; the differential tests hold the answers equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import schema
from ...errors import NotFoundError, ValidationError
from ...model import make_edge
from ..queries import UNIT_LINKS, _check_value
from .learning import balance_rows
from .mapping import PROV_FIELDS, THREAD, label, rel_type
from .questions import declared_bad_of

if TYPE_CHECKING:
    from ...alignment import AlignmentConfig, XMatrix
    from ...model import Edge

LINKS = "|".join(rel_type(k) for k in UNIT_LINKS)

# The units at and below $unit, and the nodes linked to them (owns/leads/delivers/monitors by
# one of those units or a person who is a member of one).
SCOPE = (
    "MATCH (u:QMSNode {id: $unit}) "
    "CALL (u) { MATCH (x:QMSNode)-[:unitOf*0..]->(u) RETURN DISTINCT x } "
    "WITH collect(x) AS units "
    "CALL (units) { UNWIND units AS x RETURN x AS a "
    "UNION UNWIND units AS x MATCH (a:QMSNode)-[:memberOf]->(x) RETURN a } "
    "WITH units, collect(DISTINCT a) AS actors "
    "CALL (actors) { UNWIND actors AS a "
    f"MATCH (a)-[:{LINKS}]->(n:QMSNode) RETURN collect(DISTINCT n) AS linked }} ")

# Each unit's own items per aspect (0 QP, 1 QC, 2 QA, 3 QI) as [aspect, kind, frequency], with
# its parents: what alignment.effort rolls up (the same items as BALANCE counts).
_ITEM = "| [{a}, x.kind, x.frequency]]"
EFFORT = (
    "MATCH (m:OrganisationalUnit) WITH m, "
    "[(m)-[:delivers]->(x:QMSNode) " + _ITEM.format(a=0) + " + "
    "[(m)-[:owns]->(x:Process) WHERE x.process_type = 'driver' " + _ITEM.format(a=0) + " + "
    "[(m)-[:uses]->(x:PlanningTool) " + _ITEM.format(a=0) + " + "
    "[(m)-[:monitors]->(x:QMSNode) WHERE x:Measure OR x:Process " + _ITEM.format(a=1) + " + "
    "[(m)-[:owns]->(x:QMSNode) WHERE x:Measure OR (x:Process AND x.process_type <> 'driver') "
    + _ITEM.format(a=1) + " + "
    "[(m)-[:uses]->(x:ControlTool) " + _ITEM.format(a=1) + " + "
    "[(m)-[:leads]->(x:AssuranceActivity) " + _ITEM.format(a=2) + " + "
    "[(m)-[:uses]->(x:AssuranceTool) " + _ITEM.format(a=2) + " + "
    "[(m)-[:leads]->(x:ImprovementProject) WHERE x.status IN $work " + _ITEM.format(a=3) + " + "
    "[(m)-[:uses]->(x:ImprovementTool) " + _ITEM.format(a=3) + " AS items "
    "RETURN collect([m.id, m.label, m.kind, [(m)-[:unitOf]->(p:QMSNode) | p.id], items]) "
    "AS rows")

# Work items reaching an active goal on the thread (for scores), among the work of $ids.
REACH_ACTIVE = (
    "UNWIND $ids AS id MATCH (w:QMSNode {id: id}) "
    f"WHERE EXISTS {{ MATCH (w)-[:{THREAD}*1..]->(g:StrategicGoal) WHERE g.status = 'active' }} "
    "RETURN collect(w.id) AS ids")


def _needle(q: str | None) -> str | None:
    return q.casefold() if q else None


class ServerPortfolio:
    """Mixin of :class:`Neo4jStore` (uses its ``read``)."""

    def _unit_check(self, tx: Any, unit: str) -> None:
        rec = tx.run("MATCH (u:QMSNode {id: $id}) RETURN u.kind AS k", id=unit).single()
        if rec is None:
            raise NotFoundError(f"no node with id {unit!r}")
        if not schema.is_a(rec["k"], "OrganisationalUnit"):
            raise ValidationError(f"{unit!r} is a {rec['k']}, not an organisational unit",
                                  field="unit")

    def unit_scope(self, unit: str) -> tuple[set[str], set[str]]:
        def work(tx: Any) -> tuple[set[str], set[str]]:
            self._unit_check(tx, unit)
            rec = tx.run(SCOPE + "RETURN [x IN units | x.id] AS u, [n IN linked | n.id] AS n",
                         unit=unit).single()
            return set(rec["u"]), set(rec["n"])

        return self.read(work)

    def find_nodes(self, *, kind: str | None = None, unit: str | None = None,
                   status: str | None = None, q: str | None = None,
                   quality_domain: str | None = None,
                   quadruple_aim: str | None = None) -> list[str]:
        """As :meth:`Store.find_nodes`, one query on the server. The text filter compares
        case-insensitively with Cypher's ``toLower`` on both sides (Python's ``casefold``
        differs only for a few letters such as German sharp s)."""
        _check_value(quality_domain, schema.QUALITY_DOMAINS, "quality_domain")
        _check_value(quadruple_aim, schema.QUADRUPLE_AIM, "quadruple_aim")
        if kind is not None and kind not in schema.NODE_KINDS:
            return []
        lab = label(kind) if kind else "`QMSNode`"
        where = []  # only the filters given (each a parameter)
        if status is not None:
            where.append("n.status = $status")
        if quality_domain or quadruple_aim:  # goals, objectives and measures naming it
            where.append("n.kind IN ['StrategicGoal', 'Objective', 'Measure']")
        if quality_domain:
            where.append("$qd IN coalesce(n.quality_domains, [])")
        if quadruple_aim:
            where.append("$qa IN coalesce(n.quadruple_aim, [])")
        if q:
            where.append("(toLower(n.id) CONTAINS $q OR toLower(n.label) CONTAINS $q "
                         "OR toLower(coalesce(n.description, '')) CONTAINS $q)")
        needle = _needle(q)
        params = {"status": status, "q": needle.lower() if needle else None,
                  "qd": quality_domain, "qa": quadruple_aim}
        # One record holding the sorted list: the driver decodes one list far faster than a
        # record per node.
        tail = " WITH n.id AS id ORDER BY id RETURN collect(id) AS ids"

        def work(tx: Any) -> list[str]:
            if unit:
                self._unit_check(tx, unit)
                cypher = (SCOPE + "UNWIND linked AS n WITH n WHERE " + " AND ".join(
                    [f"n:{lab}", *where]) + tail)
                return list(tx.run(cypher, unit=unit, **params).single()["ids"])
            cypher = f"MATCH (n:QMSNode:{lab})" + (" WHERE " + " AND ".join(where)
                                                    if where else "") + tail
            return list(tx.run(cypher, **params).single()["ids"])

        return self.read(work)

    def find_edges(self, *, kind: str | None = None, source: str | None = None,
                   target: str | None = None, node: str | None = None) -> list[Edge]:
        """As :meth:`Store.find_edges`, one query on the server (by index from a given end)."""
        if kind is not None and kind not in schema.EDGE_KINDS:
            return []
        kinds = [kind] if kind else sorted(schema.EDGE_KINDS)
        prov = ", ".join(f"r.prov_{f}" if f != "at" else "toString(r.prov_at)"
                         for f in PROV_FIELDS)
        ret = f"WITH DISTINCT s.id AS s, type(r) AS k, t.id AS t, [{prov}] AS pv"
        if source is not None:
            m = "MATCH (s:QMSNode {id: $source})-[r]->(t:QMSNode)"
        elif target is not None:
            m = "MATCH (s:QMSNode)-[r]->(t:QMSNode {id: $target})"
        elif node is not None:
            m = ("CALL () { MATCH (s:QMSNode {id: $node})-[r]->(t:QMSNode) RETURN s, r, t "
                 "UNION MATCH (s:QMSNode)-[r]->(t:QMSNode {id: $node}) RETURN s, r, t }")
        else:
            m = "MATCH (s:QMSNode)-[r]->(t:QMSNode)"
        cypher = (m + " WITH s, r, t WHERE type(r) IN $kinds "
                  "AND ($source IS NULL OR s.id = $source) AND ($target IS NULL OR t.id = $target) "
                  "AND ($node IS NULL OR s.id = $node OR t.id = $node) " + ret
                  + " ORDER BY s, k, t RETURN collect([s, k, t, pv]) AS rows")

        def work(tx: Any) -> list[Any]:
            return tx.run(cypher, kinds=kinds, source=source, target=target, node=node
                          ).single()["rows"]

        from ...model import Provenance

        provs: dict[tuple[Any, ...], Provenance] = {}
        out = []
        for s, k, t, pv in self.read(work):
            p = provs.get(tuple(pv))
            if p is None:
                p = provs[tuple(pv)] = Provenance.model_validate(
                    {f: v for f, v in zip(PROV_FIELDS, pv, strict=True) if v is not None})
            out.append(make_edge(k, s, t, provenance=p))
        return out

    # ------------------------------------------------------------- portfolio
    def balance(self, config: AlignmentConfig | None = None) -> dict[str, dict[str, int]]:
        from ...alignment import AlignmentConfig

        cfg = config or AlignmentConfig()
        def work(tx: Any) -> dict[str, dict[str, int]]:
            zero = {"QP": 0, "QC": 0, "QA": 0, "QI": 0}
            out = {u: dict(zero) for u in tx.run(
                "MATCH (u:OrganisationalUnit) RETURN collect(u.id) AS ids").single()["ids"]}
            out.update((u, row) for u, _, row in balance_rows(tx, list(cfg.work_statuses)))
            return dict(sorted(out.items()))

        return self.read(work)

    def portfolio(self, *, goal: str | None = None, unit: str | None = None,
                  status: str | None = None, config: AlignmentConfig | None = None) -> Any:
        """The QI hub's portfolio from the light fields of the system map's nodes (no
        bodies, no people) and the edges among them: what :func:`alignment.hub.portfolio`
        reads, with progress and the audit answered on the server."""
        from ...alignment.hub import portfolio
        from ...graph import QMSGraph

        g = QMSGraph()
        self.read(lambda tx: self._among(  # type: ignore[attr-defined]
            tx, self._view_ids(tx, "system", None, None, None), g))  # type: ignore[attr-defined]
        types = {k: v["measure_type"] for k, v in self.node_fields(  # type: ignore[attr-defined]
            "Measure", ("measure_type",)).items()}
        return portfolio(g, self.progress(), self.audit(config),  # type: ignore[attr-defined]
                         types, goal=goal, unit=unit, status=status)

    def goals_reached(self, ids: list[str]) -> dict[str, int]:
        """As :meth:`Store.goals_reached`: one pruned closure per node on the server."""
        rows = self.read(lambda tx: tx.run(  # type: ignore[attr-defined]
            "UNWIND $ids AS id MATCH (w:QMSNode {id: id}) "
            f"CALL (w) {{ MATCH (w)-[:{THREAD}*1..]->(g:StrategicGoal) "
            "WHERE g.status = 'active' RETURN count(DISTINCT g) AS c } "
            "RETURN collect([w.id, c]) AS rows", ids=list(ids)).single()["rows"])
        return {i: int(c) for i, c in rows}

    def effort(self, config: AlignmentConfig | None = None) -> Any:
        """Balance of effort by cadence from each unit's own items, read in one query and
        rolled up as the embedded store does (:func:`qmsgraph.alignment.effort.from_own`)."""
        from ...alignment import AlignmentConfig
        from ...alignment.effort import OwnRow, from_own, weight_of

        cfg = config or AlignmentConfig()
        rows = self.read(lambda tx: tx.run(  # type: ignore[attr-defined]
            EFFORT, work=list(cfg.work_statuses)).single()["rows"])
        own = []
        for uid, lab, kind, parents, items in rows:
            counts, year, missing = [0] * 4, [0.0] * 4, 0
            for aspect, xkind, freq in items:
                w, miss = weight_of(xkind, freq)
                counts[aspect] += 1
                year[aspect] += w
                missing += miss
            own.append(OwnRow(unit=uid, label=lab, kind=kind, parents=parents, items=counts,
                              per_year=year, no_cadence=missing))
        return from_own(own)

    def matrix(self, config: AlignmentConfig | None = None) -> XMatrix:
        """The X-matrix from three queries: goals, and for each live project and each measure
        the goals it reaches on the thread (a pruned closure per row) and declares."""
        from ...alignment import AlignmentConfig
        from ...alignment.results import MatrixCell, XMatrix

        cfg = config or AlignmentConfig()
        rows_q = (
            "CALL (r) { MATCH (r)-[:" + THREAD + "*1..]->(g:StrategicGoal) "
            "RETURN collect(DISTINCT g.id) AS hit } "
            "WITH r, hit ORDER BY r.id RETURN collect({id: r.id, label: r.label, a: r.{attr}, "
            "hit: hit, declared: [(r)-[:alignsTo]->(d:StrategicGoal) | d.id]}) AS rows")

        def work(tx: Any) -> tuple[list[Any], list[Any], list[Any]]:
            goals = [(r["id"], r["label"], r["status"]) for r in tx.run(
                "MATCH (g:StrategicGoal) RETURN g.id AS id, g.label AS label, "
                "g.status AS status ORDER BY id")]
            projects = tx.run("MATCH (r:ImprovementProject) WHERE r.status IN $work "
                              + rows_q.replace("{attr}", "status"),
                              work=list(cfg.work_statuses)).single()["rows"]
            measures = tx.run("MATCH (r:Measure) " + rows_q.replace("{attr}", "measure_type")
                              ).single()["rows"]
            return goals, projects, measures

        goals, projects, measures = self.read(work)
        active = {g for g, _, s in goals if s == "active"}
        order = {g: i for i, (g, _, _) in enumerate(goals)}

        def cells(rows: list[Any]) -> tuple[list[MatrixCell], dict[str, int], list[str]]:
            out, per_goal, rowless = [], dict.fromkeys(order, 0), []
            for r in rows:
                hit, declared = set(r["hit"]), set(r["declared"])
                for g in sorted(hit | declared, key=order.__getitem__):
                    out.append(MatrixCell(row=r["id"], goal=g, reaches=g in hit,
                                          declared=g in declared))
                for g in hit:
                    per_goal[g] += 1
                if not hit & active:
                    rowless.append(r["id"])
            return out, per_goal, sorted(rowless)

        pcells, pcount, p_none = cells(projects)
        mcells, mcount, m_none = cells(measures)
        return XMatrix(
            goals=[{"id": g, "label": lb, "status": s, "projects": pcount[g],
                    "measures": mcount[g]} for g, lb, s in goals],
            projects=[{"id": r["id"], "label": r["label"], "status": r["a"]} for r in projects],
            measures=[{"id": r["id"], "label": r["label"], "type": r["a"]} for r in measures],
            project_cells=pcells, measure_cells=mcells,
            gaps={"goals_without_projects": [g for g, _, s in goals if s == "active"
                                             and not pcount[g]],
                  "goals_without_measures": [g for g, _, s in goals if s == "active"
                                             and not mcount[g]],
                  "projects_without_active_goal": p_none,
                  "measures_without_active_goal": m_none})

    def scores(self, config: AlignmentConfig | None = None) -> dict[str, Any]:
        """Alignment scores: each unit's work (live projects led, processes and measures
        owned, by it or a unit below it) and every work item, from a few queries; an item is
        aligned when it reaches an active goal and the audit would find no
        declared-not-evidenced on it (that one fact is computed, not the whole audit)."""
        from ...alignment import AlignmentConfig
        from ...alignment.results import Score

        cfg = config or AlignmentConfig()
        work = list(cfg.work_statuses)
        # The audit's declared-not-evidenced findings are exactly this set (none when the
        # rule is disabled): no need to run the whole audit.
        declared_bad: set[str] = set()
        if "declared-not-evidenced" not in cfg.disabled_rules:
            declared_bad = set(self.read(declared_bad_of, work))

        def q(tx: Any) -> tuple[list[Any], list[str], set[str]]:
            units = tx.run(
                "MATCH (u:OrganisationalUnit) "
                "CALL (u) { MATCH (m:QMSNode)-[:unitOf*0..]->(u) WITH DISTINCT m "
                "WHERE m:OrganisationalUnit "
                "OPTIONAL MATCH (m)-[e:leads|owns]->(w:QMSNode) WHERE "
                "(type(e) = 'leads' AND w:ImprovementProject AND w.status IN $work) OR "
                "(type(e) = 'owns' AND (w:Process OR w:Measure)) "
                "RETURN collect(DISTINCT w.id) AS ws } "
                "WITH u, ws ORDER BY u.id "
                "RETURN collect({id: u.id, label: u.label, ws: ws}) AS rows", work=work
            ).single()["rows"]
            items = tx.run(
                "MATCH (w:QMSNode) WHERE w:Process OR w:Measure OR "
                "(w:ImprovementProject AND w.status IN $work) RETURN collect(w.id) AS ids",
                work=work).single()["ids"]
            reach = set(tx.run(REACH_ACTIVE, ids=items).single()["ids"])
            return units, items, reach

        units, items, reach = self.read(q)

        def aligned(nid: str) -> bool:
            return nid in reach and nid not in declared_bad

        out = []
        for r in units:
            ws = r["ws"]
            a = sum(aligned(w) for w in ws)
            out.append(Score(unit=r["id"], label=r["label"], aligned=a, total=len(ws),
                             score=round(100 * a / len(ws), 1) if ws else None))
        a = sum(aligned(w) for w in items)
        overall = Score(unit="*", label="whole organisation", aligned=a, total=len(items),
                        score=round(100 * a / len(items), 1) if items else None)
        return {"overall": overall, "units": out,
                "formula": "score = 100 x aligned work items / work items (live projects led, "
                           "processes and measures owned, including units below)"}
