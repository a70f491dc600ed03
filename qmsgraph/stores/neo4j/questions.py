"""Alignment questions on the server: the audit's facts in Cypher, threads and contributors
from the thread neighbourhood only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ... import schema
from ...errors import NotFoundError, StoreError
from ...graph import QMSGraph
from ...model import (
    make_node,
)

if TYPE_CHECKING:
    from ...alignment import (
        AlignmentConfig,
        AuditReport,
        Contributors,
        Facts,
        Impact,
        ProjectCheck,
        ProjectProposal,
        ThreadResult,
    )
    from .store import Neo4jStore

from .learning import balance_rows, learning_facts
from .mapping import (
    LIGHT_FIELDS,
    THREAD,
    _light_edge,
    _points,
    light_list,
    light_node,
    project_light,
)


class ServerQuestions:
    """The alignment questions of :class:`Neo4jStore`, answered on the server (a mixin:
    it uses the store's ``read``/``write`` and ``url``)."""

    # ------------------------------------------------------------- subgraphs
    def _subgraph(self, tx: Any, ids: Iterable[str], *, forward: bool = True,
                  depth: int | None = None, into: QMSGraph | None = None) -> QMSGraph:
        """The thread closure of ``ids`` (forward: what they reach; else what reaches them)
        with every thread edge out of (forward) or into (reverse) its nodes, so that the
        library's breadth-first searches from ``ids`` give what they give on the whole
        graph. ``depth`` bounds a reverse closure (BFS levels up to it stay exact)."""
        g = into if into is not None else QMSGraph()
        rng = "*0.." if depth is None else f"*0..{int(depth)}"
        # The closure is a subquery returning DISTINCT endpoints, so the planner prunes the
        # expansion per start node (VarLengthExpand(Pruning,BFS)); written inline before
        # collect() it did 150 times the database hits.
        if forward:
            q = (f"UNWIND $ids AS id MATCH (s:QMSNode {{id: id}}) "
                 f"CALL (s) {{ MATCH (s)-[:{THREAD}{rng}]->(x:QMSNode) RETURN DISTINCT x }} "
                 f"WITH DISTINCT x RETURN collect([{light_list('x')}, "
                 f"[(x)-[r:{THREAD}]->(y:QMSNode) | [x.id, type(r), y.id]]]) AS rows")
        else:
            q = (f"UNWIND $ids AS id MATCH (s:QMSNode {{id: id}}) "
                 f"CALL (s) {{ MATCH (x:QMSNode)-[:{THREAD}{rng}]->(s) RETURN DISTINCT x }} "
                 f"WITH DISTINCT x RETURN collect([{light_list('x')}, "
                 f"[(y:QMSNode)-[r:{THREAD}]->(x) | [y.id, type(r), x.id]]]) AS rows")
        edges: list[list[str]] = []
        for p, e in tx.run(q, ids=sorted(set(ids))).single()["rows"]:
            if p[0] not in g.g:
                g.g.add_node(p[0], node=light_node(dict(zip(LIGHT_FIELDS, p, strict=True))))
            edges.extend(e)
        for s, k, t in edges:
            if s in g.g and t in g.g and not g.g.has_edge(s, t, k):
                g.g.add_edge(s, t, key=k, edge=_light_edge(k, s, t))
        g.touch()
        return g

    def _nodes(self, tx: Any, ids: Iterable[str], g: QMSGraph) -> None:
        """Add these nodes (those that exist) to ``g``."""
        want = sorted(set(ids) - set(g.g.nodes))
        if not want:
            return
        for rec in tx.run(f"UNWIND $ids AS id MATCH (n:QMSNode {{id: id}}) "
                          f"RETURN {project_light('n')} AS p", ids=want):
            p = rec["p"]
            g.g.add_node(p["id"], node=light_node(p))
        g.touch()

    def _require(self, g: QMSGraph, node_id: str) -> None:
        if node_id not in g.g:
            raise NotFoundError(f"no node with id {node_id!r}")

    # ------------------------------------------------------------- alignment on the server
    def spc_summaries(self) -> dict[str, dict[str, Any]]:
        """SPC summaries of the measures long enough to judge. Only their series are pulled,
        and :mod:`qmsgraph.spc.graph` computes each summary as it does for the embedded
        store. Summaries are cached on the measure (``spc_summary``, JSON): any write of the
        node replaces all its properties and so drops the cache, and a summary is stored only
        if the node's version is still the one it was computed from."""

        from ...spc.graph import MIN_POINTS, summary

        def work(tx: Any) -> tuple[QMSGraph, dict[str, Any], dict[str, int]]:
            g = QMSGraph()
            cached: dict[str, Any] = {}
            versions: dict[str, int] = {}
            rows = tx.run(
                "MATCH (m:Measure) WHERE m.data_n >= $min RETURN collect([m.id, "
                "m.spc_summary, m.version, CASE WHEN m.spc_summary IS NULL THEN [m.label, "
                "m.measure_type, m.direction, m.target, [d IN m.data_dates | toString(d)], "
                "m.data_values, m.chart_type, m.unit_of_measure, m.data_denominators, "
                "m.data_rebases] END]) AS rows", min=MIN_POINTS).single()["rows"]
            for mid, body, version, series in rows:
                if body is not None:
                    cached[mid] = json.loads(body)
                    continue
                label_, mt, direction, target, dates, vals, chart, unit, dens, rebs = series
                node = make_node({
                    "kind": "Measure", "id": mid, "label": label_, "measure_type": mt,
                    "direction": direction, "target": target, "chart_type": chart or "xmr",
                    "unit_of_measure": unit, "data": _points(dates, vals, dens, rebs)},
                    location=f"{self.url} node {mid}")
                g.g.add_node(mid, node=node)
                versions[mid] = int(version or 1)
            g.touch()
            return g, cached, versions

        g, summaries, versions = self.read(work)
        fresh = []
        for m in g.nodes():
            out = summary(g, m.id, None)
            summaries[m.id] = out
            fresh.append([m.id, versions[m.id], json.dumps(out)])
        if fresh:
            try:
                self.write(lambda tx: tx.run(
                    "UNWIND $rows AS row MATCH (m:QMSNode {id: row[0]}) "
                    "WHERE m:Measure AND m.version = row[1] SET m.spc_summary = row[2]",
                    rows=fresh).consume())
            except StoreError:
                pass  # a read-only user: no cache, same answer
        return summaries

    def facts(self, cfg: AlignmentConfig, concern: set[str]) -> Facts:
        """The audit's facts, computed with Cypher on the server."""
        return self.read(_facts, cfg, sorted(concern))

    def audit(self, config: AlignmentConfig | None = None) -> AuditReport:
        from ...alignment import AlignmentConfig, findings_from_facts

        cfg = config or AlignmentConfig()
        facts = self.facts(cfg, self.concern_measures(cfg.concern_window))
        facts.progress_unsupported = self.progress_facts()
        lookup = Neo4jLookup(self)
        lookup.prepare(facts)
        return findings_from_facts(facts, cfg, lookup)

    def progress(self, project_id: str | None = None) -> dict[str, Any]:
        """Progress from the neighbourhood of the projects only (:mod:`.progress`)."""
        from ...alignment.progress import assess
        from ...errors import ValidationError
        from .progress import progress_graph

        if project_id is not None:
            node = self.get_node(project_id)  # type: ignore[attr-defined]
            if node.kind != "ImprovementProject":
                raise ValidationError(f"{project_id!r} is a {node.kind}, not an "
                                      "ImprovementProject", field="project")
        ids = None if project_id is None else [project_id]
        return assess(progress_graph(self, ids), ids,  # type: ignore[arg-type]
                      self.spc_summaries())

    def progress_facts(self) -> list[tuple[str, float, float, str]]:
        from ...alignment.progress import assess, unsupported
        from .progress import progress_graph, recorded_projects

        recorded = recorded_projects(self)  # type: ignore[arg-type]
        if not recorded:
            return []
        g = progress_graph(self, recorded)  # type: ignore[arg-type]
        return unsupported(assess(g, recorded, self.spc_summaries()))

    def thread(self, node_id: str) -> ThreadResult:
        from ...alignment import thread

        g = self.read(lambda tx: self._subgraph(tx, [node_id]))
        self._require(g, node_id)
        return thread(g, node_id)

    def contributors(self, goal_id: str) -> Contributors:
        from ...alignment import contributors

        g = self.read(lambda tx: self._subgraph(tx, [goal_id], forward=False))
        self._require(g, goal_id)
        return contributors(g, goal_id)

    def impact(self, node_id: str) -> Impact:
        """What loses support if a node goes: the library's :func:`~qmsgraph.alignment.
        impact` on the forward closure of everything that reaches the node, plus the
        reverse closure of the active goals it reaches."""
        from ...alignment import impact
        from ...alignment.threads import _bfs

        def work(tx: Any) -> QMSGraph:
            g = QMSGraph()
            up = [r["id"] for r in tx.run(
                f"MATCH (n:QMSNode {{id: $id}}) MATCH (a:QMSNode)-[:{THREAD}*0..]->(n) "
                "RETURN DISTINCT a.id AS id", id=node_id)]
            if not up:
                return g
            self._subgraph(tx, up, into=g)
            goals = [x for x in _bfs(g, node_id) if g.kind(x) == "StrategicGoal"
                     and g.node(x).status == "active"]
            if goals:
                self._subgraph(tx, goals, forward=False, into=g)
            return g

        g = self.read(work)
        self._require(g, node_id)
        return impact(g, node_id)

    def check_project(self, proposal: ProjectProposal,
                      config: AlignmentConfig | None = None) -> ProjectCheck:
        """The library's :func:`~qmsgraph.alignment.check_project` on the part of the graph
        it reads: the proposal's nodes, the thread closure of its measures and processes and
        of what they share with goals, the unit's work and the projects it would duplicate."""
        from ...alignment import AlignmentConfig, check_project

        dup_statuses = (config or AlignmentConfig()).duplicate_statuses
        refs = [*proposal.measures, *proposal.processes,
                *[x for x in (proposal.unit, proposal.declared_priority, proposal.sponsor) if x]]

        def work(tx: Any) -> QMSGraph:
            g = QMSGraph()
            self._nodes(tx, refs, g)
            near = [r["id"] for r in tx.run(
                "UNWIND $ids AS id MATCH (p:QMSNode {id: id})<-[:measures]-(m:QMSNode) "
                "RETURN DISTINCT m.id AS id", ids=proposal.processes)]
            unit_edges = []
            if proposal.unit:
                unit_edges = [(r["k"], r["t"]) for r in tx.run(
                    "MATCH (u:QMSNode {id: $id})-[r]->(t:QMSNode) WHERE type(r) IN $kinds "
                    "RETURN type(r) AS k, t.id AS t", id=proposal.unit,
                    kinds=sorted(schema.EDGE_KINDS))]
            dups = [(r["p"], r["m"], r["units"]) for r in tx.run(
                "UNWIND $ids AS id MATCH (p:ImprovementProject)-[:improves]->"
                "(m:QMSNode {id: id}) WHERE m:Measure AND p.status IN $st "
                "RETURN p.id AS p, m.id AS m, "
                "[(x:QMSNode)-[:leads]->(p) | x.id] AS units",
                ids=proposal.measures, st=list(dup_statuses))]
            start = {*proposal.measures, *proposal.processes, *near,
                     *(t for _, t in unit_edges)}
            self._subgraph(tx, start, into=g)
            self._nodes(tx, [p for p, _, _ in dups] + [u for *_, us in dups for u in us], g)
            extra = [(proposal.unit, k, t) for k, t in unit_edges]
            extra += [(p, "improves", m) for p, m, _ in dups]
            extra += [(u, "leads", p) for p, _, us in dups for u in us]
            for s, k, t in extra:
                if s in g.g and t in g.g and not g.g.has_edge(s, t, k):
                    g.g.add_edge(s, t, key=k, edge=_light_edge(k, s, t))
            g.touch()
            return g

        from ...alignment.overlap import (
            find_overlaps,
            proposal_text,
            text_matches,
            with_overlaps,
        )

        check = check_project(self.read(work), proposal, config)
        index = self.text_index()
        hits = text_matches(index, proposal_text(proposal))

        def near(tx: Any) -> QMSGraph:
            """The candidate projects with what they improve, who leads them, their lessons
            and what those inform."""
            g = QMSGraph()
            ps = {r["p"] for r in tx.run(
                "UNWIND $ids AS id MATCH (p:ImprovementProject)-[:improves]->"
                "(:QMSNode {id: id}) RETURN DISTINCT p.id AS p",
                ids=[*proposal.measures, *proposal.processes])} | {h for h, _ in hits}
            rows = list(tx.run(
                "UNWIND $ids AS id MATCH (p:ImprovementProject {id: id}) RETURN p.id AS p, "
                "[(p)-[:improves]->(t:QMSNode) | t.id] AS imp, "
                "[(u:QMSNode)-[:leads]->(p) | u.id] AS leads, "
                "[(p)-[:yields]->(l:QMSNode) | [l.id, [(l)-[:informs]->(x:QMSNode) | x.id]]] "
                "AS ls", ids=sorted(ps)))
            edges = []
            for r in rows:
                edges += [(r["p"], "improves", t) for t in r["imp"]]
                edges += [(u, "leads", r["p"]) for u in r["leads"]]
                for lid, informs in r["ls"]:
                    edges.append((r["p"], "yields", lid))
                    edges += [(lid, "informs", x) for x in informs]
            self._nodes(tx, {x for e in edges for x in (e[0], e[2])} | ps, g)
            for a, k, b in edges:
                if a in g.g and b in g.g and not g.g.has_edge(a, b, k):
                    g.g.add_edge(a, b, key=k, edge=_light_edge(k, a, b))
            g.touch()
            return g

        return with_overlaps(check, find_overlaps(self.read(near), proposal, hits, index,
                                                  self.measure_spc))

    def project_texts(self) -> tuple[list[str], list[str]]:
        from ...alignment.text import project_text

        rows = self.read(lambda tx: [(r["i"], r["l"], r["a"], r["d"]) for r in tx.run(
            "MATCH (p:ImprovementProject) RETURN p.id AS i, p.label AS l, p.aim AS a, "
            "p.description AS d ORDER BY i")])
        return [r[0] for r in rows], [project_text(*r[1:]) for r in rows]




def declared_bad_of(tx: Any, work: list[str]) -> dict[str, list[str]]:
    """Work (processes, measures, live projects in ``work`` statuses) declaring priorities
    (``alignsTo``) that its thread does not reach, or inactive goals: work -> those targets."""
    is_work = "(w:Process OR w:Measure OR (w:ImprovementProject AND w.status IN $work))"
    declared_bad: dict[str, list[str]] = {}
    for r in tx.run(
            f"MATCH (w:QMSNode)-[:alignsTo]->(d:QMSNode) WHERE {is_work} "
            "WITH w, d, (d:StrategicGoal AND d.status <> 'active') AS inactive "
            f"WITH w, d, inactive OR NOT d IN COLLECT {{ MATCH (w)-[:{THREAD}*1..]->(x) "
            "RETURN DISTINCT x } AS bad WHERE bad "
            "RETURN w.id AS w, collect(d.id) AS ds", work=work):
        declared_bad[r["w"]] = sorted(r["ds"])
    return declared_bad


def _facts(tx: Any, cfg: AlignmentConfig, concern: list[str]) -> Facts:
    """Every fact the rules need, by Cypher (definitions: :func:`alignment.index_facts`)."""
    from ...alignment import Facts

    work = list(cfg.work_statuses)
    live = "(w:ImprovementProject AND w.status IN $work)"
    is_work = f"(w:Process OR w:Measure OR {live})"

    # Reach of work: forward closure of each work node (short: towards the purpose), with
    # DISTINCT endpoints so the planner prunes the expansion.
    not_active: dict[str, bool] = {}
    for r in tx.run(
            f"MATCH (w:QMSNode) WHERE {is_work} "
            f"WITH w, COLLECT {{ MATCH (w)-[:{THREAD}*1..]->(g:StrategicGoal) "
            f"RETURN DISTINCT g.status AS s }} AS sts "
            "WHERE NOT 'active' IN sts RETURN w.id AS id, size(sts) > 0 AS reaches",
            work=work):
        not_active[r["id"]] = r["reaches"]
    orphaned = sorted(i for i, reaches in not_active.items() if not reaches)
    inactive_only = sorted(i for i, reaches in not_active.items() if reaches)
    # Of the work reaching no goal, what reaches a unit's own priority is locally aligned.
    locally_aligned = sorted((r["w"], sorted(r["ls"])) for r in tx.run(
        f"UNWIND $ids AS id MATCH (w:QMSNode {{id: id}}) "
        f"WITH w, COLLECT {{ MATCH (w)-[:{THREAD}*1..]->(l:LocalPriority) "
        "RETURN DISTINCT l.id AS l } AS ls WHERE size(ls) > 0 RETURN w.id AS w, ls",
        ids=orphaned)) if orphaned else []
    local = {w for w, _ in locally_aligned}
    orphaned = [i for i in orphaned if i not in local]
    local_owners = {r["l"]: sorted(r["os"]) for r in tx.run(
        "UNWIND $ids AS id MATCH (l:LocalPriority {id: id}) "
        "RETURN l.id AS l, [(o:QMSNode)-[:owns]->(l) | o.id] AS os",
        ids=sorted({x for _, ls in locally_aligned for x in ls}))}

    declared_bad = declared_bad_of(tx, work)

    classification: dict[str, str] = {}
    live_ids = tx.run("MATCH (w:ImprovementProject) WHERE w.status IN $work "
                      "RETURN collect(w.id) AS ids", work=work).single()["ids"]
    for i in live_ids:
        classification[i] = (("locally-aligned" if i in local else "orphaned")
                             if not_active.get(i) is False else "misaligned"
                             if (i in not_active or i in declared_bad) else "aligned")

    # Active goals: measured? worked on? serving a purpose? (reverse closure, pruned)
    active_goals = []
    for r in tx.run(
            f"MATCH (g:StrategicGoal) WHERE g.status = 'active' "
            f"CALL (g) {{ MATCH (x:QMSNode)-[:{THREAD}*1..]->(g) WITH DISTINCT x "
            "RETURN count(CASE WHEN x:Measure THEN 1 END) > 0 AS measured, "
            "count(CASE WHEN x:Process OR (x:ImprovementProject AND x.status IN $work) "
            "THEN 1 END) > 0 AS worked } "
            "RETURN g.id AS id, measured, worked, EXISTS { (g)-[:serves]->() } AS serves",
            work=work):
        active_goals.append((r["id"], bool(r["measured"]), bool(r["worked"]),
                             bool(r["serves"])))
    purpose_goals = {r["p"]: sorted(r["gs"]) for r in tx.run(
        "MATCH (g:StrategicGoal)-[:serves]->(p:QMSNode) WHERE g.status = 'active' "
        "RETURN p.id AS p, collect(DISTINCT g.id) AS gs")}

    # Measures: owners, data, staleness, assurance without control.
    unowned = sorted(r["id"] for r in tx.run(
        "MATCH (m:Measure) WHERE NOT EXISTS { (:QMSNode)-[:owns]->(m) } RETURN m.id AS id"))
    no_data = sorted(r["id"] for r in tx.run(
        "MATCH (m:Measure) WHERE coalesce(m.data_n, 0) = 0 RETURN m.id AS id"))
    as_of = cfg.as_of
    if as_of is None:
        last = tx.run("MATCH (m:Measure) WHERE m.data_n > 0 RETURN max(m.data_last) AS d"
                      ).single()["d"]
        as_of = dt.date(last.year, last.month, 1) if last is not None else None
    stale: list[tuple[str, dt.date]] = []
    if as_of is not None:
        limit = as_of.year * 12 + as_of.month - 1 - cfg.stale_periods
        stale = sorted((r["id"], dt.date(r["y"], r["m"], 1)) for r in tx.run(
            "MATCH (m:Measure) WHERE m.data_n > 0 "
            "AND m.data_last.year * 12 + m.data_last.month - 1 < $limit "
            "RETURN m.id AS id, m.data_last.year AS y, m.data_last.month AS m", limit=limit))
    anc = sorted((r["id"], sorted(r["by"])) for r in tx.run(
        "MATCH (m:Measure) WHERE EXISTS { (:QMSNode)-[:assures]->(m) } "
        "AND NOT EXISTS { (:QMSNode)-[:monitors]->(m) } "
        "AND NOT EXISTS { (m)-[:measures]->(:QMSNode) } "
        "RETURN m.id AS id, [(a:QMSNode)-[:assures]->(m) | a.id] AS by"))

    # Duplicated effort: measures improved by two or more projects in the duplicate statuses
    # that are led by at least duplicate_min_units distinct units (as index_facts counts them).
    duplicates = []
    for r in tx.run(
            "MATCH (p:ImprovementProject)-[:improves]->(m:Measure) WHERE p.status IN $st "
            "WITH m, collect(p) AS ps "
            "WITH m, [p IN ps | [p.id, [(u:OrganisationalUnit)-[:leads]->(p) | u.id]]] AS pl "
            "WITH m, pl, reduce(acc = [], x IN pl | acc + [u IN x[1] WHERE NOT u IN acc]) AS us "
            "WHERE size(pl) >= 2 AND size(us) >= $min RETURN m.id AS m, pl",
            st=list(cfg.duplicate_statuses), min=cfg.duplicate_min_units):
        projects = sorted(p for p, _ in r["pl"])
        leads = {p: sorted(us) for p, us in r["pl"]}
        units: dict[str, list[str]] = {}
        for p in projects:
            for u in leads[p]:
                units.setdefault(u, []).append(p)
        duplicates.append((r["m"], projects, units))
    duplicates.sort()

    # Balance per unit (alignment.balance): own counts per unit, summed over each unit and
    # the units below it (unitOf, distinct members); unbalanced: QI > 0 and QC == 0.
    rows = balance_rows(tx, work)
    unbalanced = [(u, row) for u, _, row in rows if row["QI"] > 0 and row["QC"] == 0]

    # At-risk goals: active goals reached by a measure of concern.
    at_risk: dict[str, list[str]] = {}
    if concern:
        for r in tx.run(
                f"UNWIND $ids AS id MATCH (m:QMSNode {{id: id}}) "
                f"MATCH (m)-[:{THREAD}*1..]->(g:StrategicGoal) WHERE g.status = 'active' "
                "WITH DISTINCT g, m RETURN g.id AS g, collect(m.id) AS ms", ids=concern):
            at_risk[r["g"]] = sorted(r["ms"])

    c = tx.run(
        "CALL () { MATCH (n:QMSNode) RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS edges } "
        "CALL () { MATCH (p:ImprovementProject) WHERE p.status IN $work "
        "RETURN count(p) AS live } "
        "CALL () { MATCH (g:StrategicGoal) WHERE g.status = 'active' RETURN count(g) AS ag } "
        "RETURN nodes, edges, live, ag", work=work).single()
    return Facts(
        **learning_facts(tx, cfg, rows),
        orphaned=orphaned, inactive_only=inactive_only, declared_bad=declared_bad,
        locally_aligned=locally_aligned, local_owners=dict(sorted(local_owners.items())),
        classification=classification, active_goals=sorted(active_goals),
        purpose_goals=purpose_goals, unowned_measures=unowned, measures_without_data=no_data,
        stale_measures=stale, as_of=as_of, assurance_not_control=anc, duplicates=duplicates,
        unbalanced=unbalanced, at_risk=dict(sorted(at_risk.items())),
        counts={"nodes": int(c["nodes"]), "edges": int(c["edges"]),
                "live_projects": int(c["live"]), "active_goals": int(c["ag"])})


# ============================================================================ the lookup

class Neo4jLookup:
    """The findings phase's reads (labels, kinds, threads, paths) answered from Neo4j.

    Threads run the library's :func:`~qmsgraph.alignment.thread` on the forward thread
    closure of the nodes asked about, fetched in one query; paths to a goal run the same
    reverse breadth-first search on the union of the shortest paths from the sources.
    """

    def __init__(self, store: Neo4jStore) -> None:
        from ...alignment import Lookup

        self.store = store
        self.info: dict[str, tuple[str, str]] = {}
        self.forward = QMSGraph()
        self.reverse: dict[str, QMSGraph] = {}
        self.reached: dict[str, list[str]] = {}
        self._forward_lookup: Any = None
        self._lookup = Lookup

    def prepare(self, facts: Facts) -> None:
        """Fetch at once what the findings will ask for: labels and kinds, the forward
        closure of the work whose thread is shown, and the shortest paths from the
        concerning measures to the at-risk goals."""
        from ...alignment.learning import learning_ids

        need_threads = {*facts.orphaned, *facts.inactive_only, *facts.declared_bad,
                        *(w for w, _ in facts.locally_aligned)}
        ids = set(need_threads)
        ids.update(facts.local_owners)
        ids.update(o for os_ in facts.local_owners.values() for o in os_)
        ids.update(g for g, *_ in facts.active_goals)
        ids.update(facts.purpose_goals)
        ids.update(facts.unowned_measures)
        ids.update(facts.measures_without_data)
        ids.update(m for m, _ in facts.stale_measures)
        ids.update(m for m, _ in facts.assurance_not_control)
        for m, _, units in facts.duplicates:
            ids.add(m)
            ids.update(units)
        ids.update(u for u, _ in facts.unbalanced)
        for g, ms in facts.at_risk.items():
            ids.add(g)
            ids.update(ms)
        for targets in facts.declared_bad.values():
            ids.update(targets)
        ids.update(learning_ids(facts))

        def work(tx: Any) -> None:
            if need_threads:
                self.store._subgraph(tx, need_threads, into=self.forward)
            self._fetch(tx, ids)
            if facts.at_risk:
                self._reverse(tx, facts.at_risk)

        self.store.read(work)

    def _reverse(self, tx: Any, pairs: dict[str, list[str]]) -> None:
        """For each goal, the nodes and edges of every shortest thread path from its
        sources to it (``allShortestPaths``). A breadth-first search back from the goal on
        that small graph gives each source the same parent chain as on the whole graph:
        a node on a shortest path has all its candidate parents (its successors one level
        nearer the goal) on shortest paths too, and so, level by level, the same order."""
        light = light_list("x")
        for r in tx.run(
                "UNWIND $pairs AS pr MATCH (g:QMSNode {id: pr[0]}) UNWIND pr[1] AS mid "
                f"MATCH (m:QMSNode {{id: mid}}) "
                f"MATCH p = allShortestPaths((m)-[:{THREAD}*1..]->(g)) "
                "UNWIND relationships(p) AS r WITH g, collect(DISTINCT r) AS rels "
                "WITH g, rels, reduce(ns = [], r IN rels | ns + [startNode(r), endNode(r)]) "
                "AS ends UNWIND ends AS x WITH g, rels, collect(DISTINCT x) AS xs "
                f"RETURN g.id AS g, [x IN xs | {light}] AS nodes, "
                "[r IN rels | [startNode(r).id, type(r), endNode(r).id]] AS edges",
                pairs=[[g, ms] for g, ms in sorted(pairs.items())]):
            sub = QMSGraph()
            for p in r["nodes"]:
                sub.g.add_node(p[0], node=light_node(dict(zip(LIGHT_FIELDS, p, strict=True))))
            for a, k, b in r["edges"]:
                sub.g.add_edge(a, b, key=k, edge=_light_edge(k, a, b))
            sub.touch()
            self.reverse[r["g"]] = sub
        self.reached.update(pairs)

    def _fetch(self, tx: Any, ids: Iterable[str]) -> None:
        want = sorted(set(ids) - set(self.info))
        for n in self.forward.nodes():
            self.info.setdefault(n.id, (n.kind, n.label))
        want = [i for i in want if i not in self.info]
        if want:
            for r in tx.run("UNWIND $ids AS id MATCH (n:QMSNode {id: id}) "
                            "RETURN n.id AS id, n.kind AS k, n.label AS l", ids=want):
                self.info[r["id"]] = (r["k"], r["l"])

    def _get(self, node_id: str) -> tuple[str, str]:
        if node_id not in self.info:
            self.store.read(self._fetch, [node_id])
        if node_id not in self.info:
            raise NotFoundError(f"no node with id {node_id!r}")
        return self.info[node_id]

    def label(self, node_id: str) -> str:
        return self._get(node_id)[1]

    def kind(self, node_id: str) -> str:
        return self._get(node_id)[0]

    def thread(self, node_id: str) -> ThreadResult:
        if node_id not in self.forward.g:
            self.store.read(lambda tx: self.store._subgraph(tx, [node_id], into=self.forward))
        if self._forward_lookup is None:
            self._forward_lookup = self._lookup(self.forward)
        return self._forward_lookup.thread(node_id)

    def paths_to(self, goal_id: str, sources: list[str]) -> list[list[Any]]:
        if not set(sources) <= set(self.reached.get(goal_id, ())):
            self.store.read(self._reverse, {goal_id: sources})
        return self._lookup(self.reverse[goal_id]).paths_to(goal_id, sources)

