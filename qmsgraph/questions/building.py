"""Questions of NHS Wales's Appendix C ("questions to guide the development of a new QMS") that
the graph can answer, and the Duty of Quality's quality domains."""

from __future__ import annotations

from collections import Counter

from .. import schema
from ..spc.icons import ICON_TEXT
from .context import Context
from .planning import Result, design_new, from_findings, no_chart, plural, redesign
from .results import Item

SIGNALS = ("FeedbackSource", "Incident", "Risk", "LearningCycle", "Standard")


def environment(ctx: Context) -> Result:
    ev: list[Item] = []
    counts = {}
    for kind in SIGNALS:
        ids = ctx.ids(kind)
        counts[kind] = len(ids)
        for nid in ids:
            told = ctx.succ(nid, "informs")
            ev.append(ctx.item(nid, "informs " + ", ".join(told) if told else
                               "informs nothing recorded"))
    drivers = [p for p in ctx.ids("Process") if ctx.node(p).process_type == "driver"]
    ev += ctx.items(drivers, "driver process (prepares to meet need: planning, feedback, "
                    "horizon scanning)")
    answer = ("Recorded about the environment: "
              + ", ".join(f"{plural(n, schema_name(k))}" for k, n in counts.items())
              + f", and {plural(len(drivers), 'driver process', 'driver processes')}.")
    missing = ["external influences (policy, regulation, demography) are recorded only as "
               "feedback sources, standards or risks"]
    return answer, ev, missing


def schema_name(kind: str) -> str:
    return {"FeedbackSource": "feedback source", "Incident": "incident", "Risk": "risk",
            "LearningCycle": "learning cycle", "Standard": "standard"}.get(kind, kind)


def data_telling(ctx: Context) -> Result:
    var, ass = Counter(), Counter()
    ev = []
    for mid, s in sorted(ctx.spc.items()):
        var[s.get("variation_icon") or "no icon"] += 1
        ass[s.get("assurance_icon") or "no target"] += 1
        if mid in ctx.concern or s.get("assurance_icon") == "fail":
            ev.append(ctx.item(mid, ctx.measure_note(mid)))
    words = ", ".join(f"{n} {ICON_TEXT.get(k, k).lower()}" for k, n in var.most_common())
    answer = (f"Of {plural(len(ctx.spc), 'measure')} with an SPC chart: {words or 'none'}. "
              f"Targets: {ass['pass']} met, {ass['fail']} missed, {ass['inconsistent']} hit "
              f"and miss, {ass['no target']} without a target. Concern and missed targets "
              "are listed.")
    return answer, ev, no_chart(ctx)


def needs(ctx: Context) -> Result:
    ev = []
    for need in ctx.ids("PopulationNeed"):
        by = sorted(ctx.pred(need, "addresses"))
        ev.append(ctx.item(need, "addressed by " + ", ".join(by) if by else
                           "addressed by nothing"))
    unaddressed = len(ctx.findings("need-not-addressed"))
    answer = (f"{plural(len(ev), 'population need')} identified; {unaddressed} addressed by "
              "no active goal or objective.")
    missing = [] if ev else ["no population need is recorded (PopulationNeed)"]
    return answer, ev, missing


def who_we_serve(ctx: Context) -> Result:
    orgs = ctx.ids("Organisation") + ctx.ids("HealthSystem")
    ev = ctx.items(orgs, "the organisation")
    ev += [ctx.item(n, "a need of the population served") for n in ctx.ids("PopulationNeed")]
    ev += [ctx.item(s, "delivered by " + (", ".join(ctx.pred(s, "delivers"))
                                          or "no unit")) for s in ctx.ids("Service")]
    answer = (f"The graph records the needs of the population served "
              f"({len(ctx.ids('PopulationNeed'))}) and the services delivered to it "
              f"({len(ctx.ids('Service'))}); the population itself is not a kind of node.")
    return answer, ev, ["the population groups served (who, how many, where) are not "
                        "recorded; describe them in the population needs"]


def purpose(ctx: Context) -> Result:
    ev = []
    for kind in ("Mission", "Vision", "Purpose"):
        for pid in ctx.ids(kind):
            if ctx.g.kind(pid) != "Value":
                goals = ctx.pred(pid, "serves")
                ev.append(ctx.item(pid, (ctx.node(pid).description or "")
                                   + f" ({plural(len(goals), 'goal')} serve it)"))
    ev = list({e.id: e for e in ev}.values())
    answer = ("; ".join(f"{e.kind}: {e.label}" for e in ev) if ev
              else "No purpose (mission or vision) is recorded.")
    return answer, ev, [] if ev else ["record the Mission and Vision (Purpose)"]


def value_added(ctx: Context) -> Result:
    ev = []
    for sid in ctx.ids("Service"):
        needs_ = [n for n in ctx.succ(sid, "addresses")]
        goals = ctx.succ(sid, "contributesTo")
        ev.append(ctx.item(sid, "addresses " + (", ".join(needs_) or "no need")
                           + "; contributes to " + (", ".join(goals) or "no goal")))
    lacking = [e.id for e in ev if e.note.startswith("addresses no need")]
    answer = (f"{plural(len(ev), 'service')} add value; {len(ev) - len(lacking)} name the "
              "need they address.")
    missing = ([f"services addressing no recorded need: {', '.join(lacking)}"]
               if lacking else [])
    return answer, ev, missing + ["the value as the population sees it (outcomes that "
                                  "matter to them) is read from measures, not recorded"]


def purpose_measures(ctx: Context) -> Result:
    goals = [g for p in ctx.ids("Purpose") for g in ctx.pred(p, "serves")
             if getattr(ctx.node(g), "status", None) == "active"]
    ev: dict[str, Item] = {}
    for nid, gid in sorted(ctx.upstream(sorted(set(goals))).items()):
        if ctx.g.kind(nid) == "Measure":
            ev[nid] = ctx.item(nid, f"{ctx.node(nid).measure_type} measure of {gid}; "
                               + ctx.measure_note(nid))
    outcome = sum(1 for e in ev.values() if e.note.startswith("outcome"))
    answer = (f"{plural(len(ev), 'measure')} on the golden thread of the active goals that "
              f"serve the purpose, {outcome} of them outcome measures.")
    return answer, sorted(ev.values(), key=lambda e: e.id), no_chart(ctx, list(ev))


def values(ctx: Context) -> Result:
    ev = [ctx.item(v, ctx.node(v).description or "") for v in ctx.ids("Value")]
    answer = ("Recorded values: " + "; ".join(e.label for e in ev) + "." if ev
              else "No value is recorded.")
    return answer, ev, [] if ev else ["record the organisation's values (Value)"]


def services_have(ctx: Context) -> Result:
    ev, broken = [], 0
    for sid in ctx.ids("Service"):
        t = ctx.store.thread(sid)
        goals = sorted({th.goal for th in t.threads if th.goal_status == "active"})
        if goals:
            ev.append(ctx.item(sid, "serves " + ", ".join(goals)))
        else:
            broken += 1
            ev.append(ctx.item(sid, "reaches no active goal"))
    answer = (f"{len(ev) - broken} of {plural(len(ev), 'service')} reach an active goal on "
              f"the golden thread; {broken} do not.")
    return answer, ev, []


def services_redesign(ctx: Context) -> Result:
    a1, e1, m1 = design_new(ctx)
    a2, e2, m2 = redesign(ctx)
    return f"To design: {a1} To redesign: {a2}", e1 + e2, m1 + m2


def process_links(ctx: Context) -> Result:
    ev, types = [], Counter()
    for pid in ctx.ids("Process"):
        p = ctx.node(pid)
        types[p.process_type] += 1
        to = [f"{rel} {t}" for rel in ("supports", "partOf")
              for t in ctx.succ(pid, rel)]
        ev.append(ctx.item(pid, f"{p.process_type}; " + ("; ".join(to) or "linked to nothing")))
    orphans = from_findings(ctx, "orphaned-work")
    lonely = [o for o in orphans if o.kind == "Process"]
    answer = (f"{types['driver']} driver, {types['mainstay']} mainstay and {types['support']} "
              f"support processes; {len(lonely)} reach no active goal.")
    return answer, ev + lonely, ([f"{plural(len(lonely), 'process')} linked to no goal"]
                                 if lonely else [])


VITAL_SHARE = 0.2  # the 20% of processes


DEPENDS = ("measures", "improves", "partOf", "owns", "supports", "checksAgainst")


def vital_processes(ctx: Context) -> Result:
    """Processes ranked by the active goals their golden thread reaches (the alignment
    index's reachability masks: one popcount per process) plus the nodes that depend on them
    directly (measures, projects, change ideas, sub-processes, owners)."""
    procs = ctx.ids("Process")
    goals = ctx.store.goals_reached(procs) if procs else {}
    scored = []
    for pid in procs:
        direct = len({s for rel in DEPENDS for s in ctx.g.predecessors(pid, rel)})
        scored.append((goals.get(pid, 0) + direct, goals.get(pid, 0), direct, pid))
    scored.sort(key=lambda x: (-x[0], x[3]))
    top = max(1, round(len(scored) * VITAL_SHARE)) if scored else 0
    ev = [ctx.item(pid, f"on the thread of {plural(g, 'active goal')}; "
                   f"{plural(d, 'node')} depend on it directly")
          for _, g, d, pid in scored[:top]]
    answer = (f"The {top} processes (20% of {len(scored)}) most depended on - by the active "
              "goals whose golden thread they are on and the measures, projects, processes "
              "and owners that depend on them directly - are listed." if scored
              else "No process is recorded.")
    return answer, ev, ["dependence is read from the golden thread; volumes (patients, "
                        "transactions) through each process are not recorded"]


def roles(ctx: Context) -> Result:
    ev, unfilled = [], []
    for rid in ctx.ids("Role"):
        holders = ctx.pred(rid, "holdsRole")
        resp = [f"{getattr(ctx.node(r), 'aspect', '?')}: {ctx.g.label(r)}"
                for r in ctx.succ(rid, "hasResponsibility")]
        if not holders:
            unfilled.append(rid)
        ev.append(ctx.item(rid, f"{plural(len(holders), 'holder')}; " + ("; ".join(resp)
                                                                         or "no responsibility")))
    answer = (f"{plural(len(ev), 'role')} recorded, {len(unfilled)} held by nobody recorded; "
              "each role's responsibilities per aspect are in the evidence.")
    missing = ([f"roles with no recorded holder: {', '.join(unfilled)}"] if unfilled else [])
    return answer, ev, missing + ["the number of posts a role needs is not recorded"]


def culture(ctx: Context) -> Result:
    ev = [ctx.item(e, "culture enabler; supports " + (
        ", ".join(ctx.succ(e, "supports")) or "nothing recorded"))
        for e in ctx.ids("Enabler") if ctx.node(e).enabler_type == "culture"]
    staff = [m for m in ctx.ids("Measure")
             if "staff-experience" in (ctx.node(m).quadruple_aim or [])]
    ev += [ctx.item(m, "staff experience; " + ctx.measure_note(m)) for m in staff]
    tools = [t for t in ctx.ids("Tool") if ctx.pred(t, "uses")]
    answer = (f"{plural(len(ev) - len(staff), 'culture enabler')}, "
              f"{plural(len(staff), 'staff experience measure')} and "
              f"{plural(len(tools), 'quality tool')} in use are recorded.")
    missing = ["staff survey results and behaviours are not recorded beyond measures tagged "
               "staff-experience"] if not staff else []
    return answer, ev, missing


def _coverage(ctx: Context, attr: str, values: tuple[str, ...], what: str
              ) -> tuple[str, list[Item], list[str]]:
    """Which of ``values`` (of the field ``attr``) no active goal or objective, and no
    measure, names."""
    goals: dict[str, list[str]] = {d: [] for d in values}
    measures: dict[str, list[str]] = {d: [] for d in values}
    for kind, into in (("StrategicGoal", goals), ("Objective", goals), ("Measure", measures)):
        for nid in ctx.ids(kind):
            n = ctx.node(nid)
            if kind == "StrategicGoal" and n.status != "active":
                continue
            for d in getattr(n, attr, None) or []:
                into[d].append(nid)
    ev = []
    for d in values:
        ev += [ctx.item(gid, f"{d}: goal or objective") for gid in goals[d]]
        ev += [ctx.item(mid, f"{d}: measure; {ctx.measure_note(mid)}") for mid in measures[d]]
    no_goal = [d for d in values if not goals[d]]
    no_measure = [d for d in values if not measures[d]]
    answer = (f"{what} with no active goal or objective: " + (", ".join(no_goal) or "none")
              + "; with no measure: " + (", ".join(no_measure) or "none") + ".")
    untagged = [m for m in ctx.ids("Measure") if not getattr(ctx.node(m), attr, None)]
    missing = ([f"{plural(len(untagged), 'measure')} name no {what.lower()[:-1]}"]
               if untagged else [])
    return answer, ev, missing


def quality_domains(ctx: Context) -> Result:
    answer, ev, missing = _coverage(ctx, "quality_domains", schema.QUALITY_DOMAINS,
                                    "Quality domains")
    return answer, ev + from_findings(ctx, "domain-without-measure"), missing


def quadruple_aim(ctx: Context) -> Result:
    return _coverage(ctx, "quadruple_aim", schema.QUADRUPLE_AIM, "Quadruple Aim dimensions")
