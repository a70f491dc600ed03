"""The facts of :mod:`qmsgraph.alignment.learning` in Cypher (the learning system, holding the
gains, quality domains, balance of effort). Definitions: that module's docstring; the embedded
store computes the same with arrays in :func:`qmsgraph.alignment.learning.learning_facts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import schema
from .mapping import THREAD

if TYPE_CHECKING:
    from ...alignment import AlignmentConfig

SOURCES = " OR ".join(f"x:{k}" for k in ("FeedbackSource", "AssuranceActivity", "Lesson",
                                         "LearningCycle"))

# Own counts per unit and aspect, summed over the unit and the units below it (distinct).
BALANCE = (
    "MATCH (m:OrganisationalUnit) "
    "WITH m, COUNT { (m)-[:delivers]->(:QMSNode) } "
    "+ COUNT { (m)-[:owns]->(x:Process) WHERE x.process_type = 'driver' } "
    "+ COUNT { (m)-[:uses]->(:PlanningTool) } AS qp, "
    "COUNT { (m)-[:monitors]->(x:QMSNode) WHERE x:Measure OR x:Process } "
    "+ COUNT { (m)-[:owns]->(x:QMSNode) WHERE x:Measure "
    "OR (x:Process AND x.process_type <> 'driver') } "
    "+ COUNT { (m)-[:uses]->(:ControlTool) } AS qc, "
    "COUNT { (m)-[:leads]->(:AssuranceActivity) } "
    "+ COUNT { (m)-[:uses]->(:AssuranceTool) } AS qa, "
    "COUNT { (m)-[:leads]->(x:ImprovementProject) WHERE x.status IN $work } "
    "+ COUNT { (m)-[:uses]->(:ImprovementTool) } AS qi "
    "WHERE qp + qc + qa + qi > 0 "
    "MATCH (m)-[:unitOf*0..]->(u:OrganisationalUnit) "
    "WITH DISTINCT u, m, qp, qc, qa, qi "
    "WITH u, sum(qp) AS qp, sum(qc) AS qc, sum(qa) AS qa, sum(qi) AS qi "
    "WITH u, qp, qc, qa, qi ORDER BY u.id "
    "RETURN collect([u.id, u.kind, qp, qc, qa, qi]) AS rows")  # one record: fast to decode


def balance_rows(tx: Any, work: list[str]) -> list[tuple[str, str, dict[str, int]]]:
    """(unit, kind, QP/QC/QA/QI totals) of every unit with activity at or below it."""
    return [(u, kind, {"QP": qp, "QC": qc, "QA": qa, "QI": qi})
            for u, kind, qp, qc, qa, qi in tx.run(BALANCE, work=work).single()["rows"]]


def learning_facts(tx: Any, cfg: AlignmentConfig, rows: list[tuple[str, str, dict[str, int]]]
                   ) -> dict[str, Any]:
    from ...alignment.learning import effort_flags

    informs_nothing = sorted(r["id"] for r in tx.run(
        f"MATCH (x:QMSNode) WHERE ({SOURCES}) AND NOT EXISTS {{ (x)-[:informs]->() }} "
        "AND NOT EXISTS { (x)-[:yields]->(:Lesson)-[:informs]->() } RETURN x.id AS id"))
    needs = sorted(r["id"] for r in tx.run(
        "MATCH (n:PopulationNeed) WHERE NOT EXISTS { (g:QMSNode)-[:addresses]->(n) "
        "WHERE (g:StrategicGoal AND g.status = 'active') OR g:Objective } RETURN n.id AS id"))
    gains = sorted((r["p"], sorted(r["ms"]), sorted(r["us"])) for r in tx.run(
        "MATCH (p:ImprovementProject)-[:improves]->(m:Measure) WHERE p.status = 'completed' "
        "AND NOT EXISTS { (:OrganisationalUnit)-[:monitors]->(m) } "
        "WITH p, collect(DISTINCT m.id) AS ms "
        "RETURN p.id AS p, ms, [(p)-[:handsOverTo]->(u:QMSNode) | u.id] AS us"))
    order = {d: i for i, d in enumerate(schema.QUALITY_DOMAINS)}
    unmeasured = sorted((r["g"], sorted(set(r["missing"]), key=order.__getitem__)) for r in tx.run(
        "MATCH (g:StrategicGoal) WHERE g.status = 'active' "
        "AND size(coalesce(g.quality_domains, [])) > 0 "
        f"WITH g, COLLECT {{ MATCH (m:Measure)-[:{THREAD}*1..]->(g) WITH DISTINCT m "
        "UNWIND coalesce(m.quality_domains, []) AS d RETURN DISTINCT d } AS have "
        "WITH g, [d IN g.quality_domains WHERE NOT d IN have] AS missing "
        "WHERE size(missing) > 0 RETURN g.id AS g, missing"))
    missing_goal: list[tuple[str, list[str]]] = []
    for r in tx.run(
            "MATCH (g:StrategicGoal)-[:serves]->(p:QMSNode) WHERE g.status = 'active' "
            "UNWIND coalesce(g.quality_domains, []) AS d "
            "RETURN p.id AS p, collect(DISTINCT d) AS named ORDER BY p"):
        named = set(r["named"])
        if named and len(named) < len(schema.QUALITY_DOMAINS):
            missing_goal.append((r["p"], [d for d in schema.QUALITY_DOMAINS
                                          if d not in named]))
    missing_goal.sort()
    heavy, no_plan = effort_flags(rows, cfg)
    return {"informs_nothing": informs_nothing, "needs_unaddressed": needs,
            "gains_not_held": gains, "domain_unmeasured": unmeasured,
            "domains_missing": missing_goal, "assurance_heavy": heavy, "no_planning": no_plan}
