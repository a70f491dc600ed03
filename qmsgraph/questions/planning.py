"""Quality Planning questions of NHS Wales's "where to start" (1-7): signals, need, purpose,
leadership, plans, planning to operate and planning to improve.

Each function takes a :class:`~.context.Context` and returns ``(answer, evidence, missing)``.
"""

from __future__ import annotations

from collections import Counter

from ..spc import COMMON_CAUSE, SPECIAL_CAUSE_IMPROVEMENT
from .context import Context
from .results import Item

Result = tuple[str, list[Item], list[str]]
SIGNAL_SOURCES = ("Incident", "FeedbackSource", "Lesson", "LearningCycle", "AssuranceActivity",
                  "Risk")


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 measure', '2 measures', '2 processes'."""
    if many is None:
        many = word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")
    return f"{n} {word if n == 1 else many}"


def are(n: int) -> str:
    return "is" if n == 1 else "are"


def from_findings(ctx: Context, *rules: str) -> list[Item]:
    """The nodes of the audit's findings of these rules, each noted with its message."""
    return [ctx.item(f.node, f"{f.rule}: {f.message}") for r in rules
            for f in ctx.findings(r)]


def no_chart(ctx: Context, ids: list[str] | None = None) -> list[str]:
    """'N measures have no SPC chart' when some lack 12 points."""
    ms = ctx.ids("Measure") if ids is None else ids
    n = sum(1 for m in ms if m not in ctx.spc)
    return [f"{plural(n, 'measure')} of {len(ms)} have fewer than 12 data points, so no "
            "signal can be read from them"] if n else []


def signal_change(ctx: Context) -> Result:
    ev: list[Item] = []
    kinds: Counter[str] = Counter()
    for mid, s in sorted(ctx.spc.items()):
        vt = s.get("variation_type")
        if mid in ctx.concern or (vt and vt != COMMON_CAUSE):
            key = ("concern" if mid in ctx.concern else
                   "improvement" if vt == SPECIAL_CAUSE_IMPROVEMENT else "neutral")
            kinds[key] += 1
            ev.append(ctx.item(mid, ctx.measure_note(mid)))
    informing = []
    for kind in SIGNAL_SOURCES:
        for nid in ctx.ids(kind):
            told = ctx.succ(nid, "informs")
            if told:
                informing.append(ctx.item(nid, "informs " + ", ".join(told)))
    ev += informing
    missing = no_chart(ctx)
    if not informing:
        missing.append("no incident, feedback, lesson, risk or assurance is recorded as "
                       "informing a decision (`informs`)")
    missing.append("the external environment (policy, demography, horizon scanning) is "
                   "recorded only as feedback sources or driver processes that inform")
    n = sum(kinds.values())
    answer = (f"{'Yes' if n else 'No measure signals a change'}: {plural(n, 'measure')} show "
              f"special-cause variation ({kinds['concern']} concern, {kinds['improvement']} "
              f"improvement, {kinds['neutral']} neither); {plural(len(informing), 'record')} "
              "of incidents, feedback, lessons, risks or assurance inform decisions.")
    return answer, ev, missing


def signal_need(ctx: Context) -> Result:
    ev, missing = [], []
    changed = 0
    for need in ctx.ids("PopulationNeed"):
        informed = [s for s in ctx.pred(need, "informs")]
        anchors = ctx.pred(need, "addresses")
        signals = sorted({m for a in anchors for m in ctx.pred(a, "indicates")
                          if m in ctx.concern or (ctx.spc.get(m) or {}).get(
                              "variation_type") not in (None, COMMON_CAUSE)})
        measured = any(ctx.pred(a, "indicates") for a in anchors)
        notes = []
        if informed:
            notes.append("informed by " + ", ".join(sorted(informed)))
        if signals:
            notes.append("special cause on " + ", ".join(signals))
        if notes:
            changed += 1
            ev.append(ctx.item(need, "; ".join(notes)))
        elif not measured:
            missing.append(f"need {need} has no measure on the goals that address it")
    if not ctx.ids("PopulationNeed"):
        missing.append("no population need is recorded (PopulationNeed)")
    missing.append("who the customers are (population groups, their size and change over "
                   "time) is not a kind of node: only needs are recorded")
    answer = (f"{plural(changed, 'population need')} of {len(ctx.ids('PopulationNeed'))} "
              "show a signal: feedback, incidents or learning inform them, or a measure of a "
              "goal that addresses them shows special-cause variation.")
    return answer, ev, missing


def leadership_ready(ctx: Context) -> Result:
    rules = ("need-not-addressed", "goal-without-work", "goal-without-measure",
             "unit-without-planning", "domain-without-goal", "too-many-priorities")
    ev = from_findings(ctx, *rules)
    leaders = [e for e in ctx.ids("Enabler")
               if getattr(ctx.node(e), "enabler_type", None) == "leadership"]
    ev += [ctx.item(e, "leadership enabler; supports " + (
        ", ".join(ctx.succ(e, "supports")) or "nothing recorded")) for e in leaders]
    missing = [] if leaders else ["no leadership enabler is recorded (Enabler, "
                                  "enabler_type leadership)"]
    n = len(ev) - len(leaders)
    answer = (f"{plural(n, 'planning gap')} for leadership to close: needs no goal addresses, "
              "goals without work or a measure, Boards and directorates doing no planning, "
              "quality domains no goal names." if n else
              "The audit finds no planning gap for leadership to close.")
    return answer, ev, missing


def change_plans(ctx: Context) -> Result:
    ev = from_findings(ctx, "at-risk-goal", "goal-without-work", "domain-without-measure")
    for gid in ctx.ids("StrategicGoal"):
        if getattr(ctx.node(gid), "status", None) != "active":
            continue
        failing = [m for m in ctx.pred(gid, "indicates")
                   if (ctx.spc.get(m) or {}).get("assurance_icon") == "fail"]
        if failing:
            ev.append(ctx.item(gid, "its measure(s) " + ", ".join(sorted(failing))
                               + " will consistently miss their target"))
    goals = sorted({e.id for e in ev})
    answer = (f"Perhaps, for {plural(len(goals), 'active goal')}: at risk from special-cause "
              "concern, targets consistently missed, no work, or a quality domain unmeasured."
              if goals else "No active goal is at risk, unresourced or failing its target.")
    return answer, ev, no_chart(ctx)


def processes_meeting(ctx: Context) -> Result:
    ev, meeting, not_meeting, unknown = [], 0, 0, []
    for pid in ctx.ids("Process"):
        ms = sorted(ctx.pred(pid, "measures"))
        if not ms:
            unknown.append(pid)
            continue
        states = {m: ctx.measure_state(m) for m in ms}
        bad = [m for m, s in states.items() if s in ("concern", "failing")]
        note = "; ".join(f"{m}: {s}" for m, s in states.items())
        if bad:
            not_meeting += 1
            ev.append(ctx.item(pid, "not meeting expectations - " + note))
        elif all(s == "no chart" for s in states.values()):
            unknown.append(pid)
        else:
            meeting += 1
            ev.append(ctx.item(pid, "meeting expectations - " + note))
    missing = [f"{plural(len(unknown), 'process')} have no measure with a chart: "
               + ", ".join(unknown[:20]) + (" ..." if len(unknown) > 20 else "")] \
        if unknown else []
    missing.append("'where they need to be' is read from measure targets; a process without "
                   "a measured target can only be judged stable or not")
    answer = (f"{plural(meeting, 'process')} meet expectations (no special-cause concern, "
              f"target not consistently missed), {not_meeting} do not, and "
              f"{len(unknown)} cannot be judged (no measure with 12 points).")
    return answer, ev, missing


def people_capacity(ctx: Context) -> Result:
    ev: list[Item] = []
    missing: list[str] = []
    for rid in ctx.ids("Role"):
        aspects = sorted({getattr(ctx.node(r), "aspect", None) or "?"
                          for r in ctx.succ(rid, "hasResponsibility")})
        holders = ctx.pred(rid, "holdsRole")
        ev.append(ctx.item(rid, f"{plural(len(holders), 'holder')}; responsibilities in "
                           + (", ".join(aspects) or "no aspect")))
        lacking = [a for a in ("planning", "control", "assurance", "improvement")
                   if a not in aspects]
        if lacking:
            missing.append(f"role {rid} has no responsibility for {', '.join(lacking)}")
    for eid in ctx.ids("Enabler"):
        if getattr(ctx.node(eid), "enabler_type", None) in ("workforce", "skills"):
            ev.append(ctx.item(eid, "workforce/skills enabler; supports " + (
                ", ".join(ctx.succ(eid, "supports")) or "nothing recorded")))
    if not ctx.ids("Role"):
        missing.append("no role is recorded (Role, hasResponsibility, holdsRole)")
    missing.append("capacity (staff in post, vacancies, time for improvement) and skills "
                   "held are not recorded: only roles, responsibilities and enablers")
    answer = (f"{plural(len(ctx.ids('Role')), 'role')} and "
              f"{plural(len(ctx.ids('Person')), 'person', 'people')} are recorded; the "
              "evidence lists each role's responsibilities per aspect and the workforce and "
              "skills enablers. Capacity cannot be answered from the graph.")
    return answer, ev, missing


def design_new(ctx: Context) -> Result:
    ev = from_findings(ctx, "need-not-addressed")
    for need in ctx.ids("PopulationNeed"):
        served = [s for s in ctx.pred(need, "addresses") if ctx.g.kind(s) == "Service"]
        if not served and need not in {e.id for e in ev}:
            ev.append(ctx.item(need, "no service addresses this need"))
    for gid in ctx.ids("StrategicGoal"):
        if getattr(ctx.node(gid), "status", None) == "active" and not any(
                ctx.g.kind(s) in ("Process", "Service")
                for rel in ("supports", "contributesTo") for s in ctx.pred(gid, rel)):
            ev.append(ctx.item(gid, "no process or service supports this goal directly"))
    answer = (f"{plural(len(ev), 'gap')} call for a new process, product or service: needs no "
              "goal or service addresses, active goals no process or service supports." if ev
              else "Every need is addressed by a service and every active goal is supported by "
              "a process or service.")
    return answer, ev, ["why a design is needed beyond these gaps (demand, policy) is not "
                        "recorded"]


def redesign(ctx: Context) -> Result:
    ev = []
    for kind in ("Process", "Service"):
        for nid in ctx.ids(kind):
            why = []
            bad = [m for m in ctx.pred(nid, "measures")
                   if ctx.measure_state(m) in ("concern", "failing")]
            if bad:
                why.append("measure(s) " + ", ".join(sorted(bad)) + " show concern or miss "
                           "their target")
            told = sorted(ctx.pred(nid, "informs"))
            if told:
                why.append("informed by " + ", ".join(told))
            risks = sorted(ctx.pred(nid, "threatens"))
            if risks:
                why.append("threatened by " + ", ".join(risks))
            if why:
                projects = sorted(p for p in ctx.pred(nid, "improves")
                                  if getattr(ctx.node(p), "status", None) in ("active",
                                                                               "proposed"))
                why.append("being improved by " + ", ".join(projects) if projects
                           else "no live project improves it")
                ev.append(ctx.item(nid, "; ".join(why)))
    answer = (f"{plural(len(ev), 'process or service', 'processes and services')} may need "
              "redesign: their measures show concern or miss their target, or feedback, "
              "incidents, lessons or risks point at them." if ev else
              "No process or service shows concern, a missed target or a signal pointing at it.")
    return answer, ev, no_chart(ctx)
