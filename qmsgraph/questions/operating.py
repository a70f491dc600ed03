"""Quality Control, Improvement and Assurance questions of NHS Wales's "where to start"
(8-14): daily work, processes operating, what to fix locally and what to escalate, whether
improvement worked, assurance over time and of the enablers."""

from __future__ import annotations

from collections import Counter

from .. import schema
from .context import LIVE, Context
from .planning import Result, are, from_findings, no_chart, plural
from .results import Item


def daily_work(ctx: Context) -> Result:
    ev, without = [], []
    for tid in ctx.ids("Team"):
        tools = [t for t in ctx.succ(tid, "uses") if ctx.g.kind(t) == "ControlTool"]
        watched = ctx.succ(tid, "monitors")
        daily = [p for p in ctx.succ(tid, "owns") if ctx.g.kind(p) == "Process"
                 and getattr(ctx.node(p), "frequency", None) in ("daily", "weekly")]
        if tools or watched or daily:
            parts = []
            if tools:
                parts.append("uses " + ", ".join(sorted(tools)))
            if watched:
                parts.append(f"monitors {plural(len(watched), 'measure')}")
            if daily:
                parts.append("runs " + ", ".join(sorted(daily)) + " daily or weekly")
            ev.append(ctx.item(tid, "; ".join(parts)))
        else:
            without.append(tid)
    ev += ctx.items(without, "no control tool, no measure monitored, no daily process")
    teams = len(ctx.ids("Team"))
    missing = []
    if not ctx.ids("ControlTool"):
        missing.append("no control tool (huddle, visual management board, SPC chart) is "
                       "recorded: record them as ControlTool and link the teams that use them")
    missing.append("whether a standard operating procedure is followed is not recorded")
    answer = (f"{teams - len(without)} of {plural(teams, 'team')} have a standard way to "
              "manage daily work (a control tool, measures they monitor, or a daily or weekly "
              f"process); {len(without)} have none recorded.")
    return answer, ev, missing


def operating(ctx: Context) -> Result:
    ev, counts = [], Counter()
    for kind in ("Service", "Process"):
        for nid in ctx.ids(kind):
            ms = sorted(ctx.pred(nid, "measures"))
            if not ms:
                counts["unmeasured"] += 1
                continue
            states = {m: ctx.measure_state(m) for m in ms}
            bad = any(s in ("concern", "failing") for s in states.values())
            counts["not" if bad else "ok"] += 1
            ev.append(ctx.item(nid, ("not operating as needed - " if bad else "operating - ")
                               + "; ".join(f"{m}: {s}" for m, s in states.items())))
    unwatched = [m for m in ctx.ids("Measure") if not any(
        schema.is_a(ctx.g.kind(u), "OrganisationalUnit")
        for u in ctx.pred(m, "monitors"))]
    missing = no_chart(ctx)
    if counts["unmeasured"]:
        n = plural(counts["unmeasured"], "process or service", "processes and services")
        missing.append(f"{n} have no measure (`measures`)")
    if unwatched:
        missing.append(f"{plural(len(unwatched), 'measure')} {are(len(unwatched))} "
                       "monitored by no unit in daily control")
    answer = (f"{counts['ok']} measured processes and services operate as needed, "
              f"{counts['not']} do not (special-cause concern or a target consistently "
              f"missed), {counts['unmeasured']} are not measured.")
    return answer, ev, missing


def _not_working(ctx: Context) -> list[str]:
    return [m for m in ctx.ids("Measure") if ctx.measure_state(m) in ("concern", "failing")]


def _live_projects(ctx: Context, mid: str) -> list[str]:
    return sorted(p for p in ctx.improvers.get(mid, ())
                  if getattr(ctx.node(p), "status", None) in LIVE)


def fix_locally(ctx: Context) -> Result:
    ev = []
    for mid in _not_working(ctx):
        teams = [u for u in ctx.units_of(mid) if ctx.g.kind(u) == "Team"]
        if teams:
            live = _live_projects(ctx, mid)
            ev.append(ctx.item(mid, f"{ctx.measure_state(mid)}; owned or monitored by "
                               + ", ".join(teams) + ("; improved by " + ", ".join(live)
                                                     if live else "; no live project")))
    answer = (f"{plural(len(ev), 'measure')} not working as {'it' if len(ev) == 1 else 'they'}"
              f" should {are(len(ev))} owned or monitored by a team close to the work, which "
              "can improve it." if ev else
              "No measure a team owns or monitors shows concern or misses its target.")
    return answer, ev, no_chart(ctx)


def escalate(ctx: Context) -> Result:
    ev, missing = [], []
    for mid in _not_working(ctx):
        if _live_projects(ctx, mid):
            continue
        units = ctx.units_of(mid)
        routes = sorted({r for u in units for r in ctx.succ(u, "escalatesTo")})
        note = (f"{ctx.measure_note(mid)}; no live project improves it; "
                + (f"escalate from {', '.join(units)} to {', '.join(routes)}" if routes
                   else f"units {', '.join(units) or 'none'} have no escalation route"))
        ev.append(ctx.item(mid, note))
        if not routes:
            missing.append(f"measure {mid}: no escalation route recorded (escalatesTo) "
                           "from the unit that owns or monitors it")
    answer = (f"{plural(len(ev), 'measure')} show special-cause concern or will miss "
              "the target with no live project improving them: escalate for improvement "
              "support." if ev else "Nothing needs escalating: every measure showing concern "
              "or missing its target has live improvement work.")
    return answer, ev, missing + no_chart(ctx)


def improvement_worked(ctx: Context) -> Result:
    ev, states = [], Counter()
    for pid in ctx.ids("ImprovementProject"):
        p = ctx.node(pid)
        if p.status not in ("completed", "active"):
            continue
        for mid in ctx.project_measures(pid):
            state, note = ctx.shift(mid, p.start_date)
            states[state] += 1
            ev.append(ctx.item(pid, f"{p.status}; {mid}: {state} - {note}"))
    missing = []
    if states["no chart"]:
        missing.append(f"{plural(states['no chart'], 'project measure')} have too few points "
                       "for a chart")
    if states["no start date"]:
        missing.append("some projects have no start date")
    missing.append("the intended outcome is read as a special-cause improvement after the "
                   "start; whether it meets the need is not recorded")
    answer = (f"Of {plural(sum(states.values()), 'measure')} improved by completed or active "
              f"projects, {states['shifted']} shifted after the project started, "
              f"{states['no shift']} did not, {states['before the start']} were already "
              f"improving before it started, {states['concern']} show concern, "
              f"{states['too early']} are too early to tell.")
    return answer, ev, missing


def assured_over_time(ctx: Context) -> Result:
    ev, icons = [], Counter()
    for mid in ctx.ids("Measure"):
        s = ctx.spc.get(mid)
        icon = (s or {}).get("assurance_icon") or ("no target" if s else "no chart")
        icons[icon] += 1
        if icon in ("fail", "inconsistent", "pass"):
            ev.append(ctx.item(mid, (s or {}).get("assurance_label") or icon))
    for aid in ctx.ids("AssuranceActivity"):
        a = ctx.node(aid)
        ev.append(ctx.item(aid, ", ".join(x for x in (
            f"{a.date:%d %b %Y}" if a.date else "no date", a.rating or "no rating",
            a.frequency or "") if x)))
    ev += from_findings(ctx, "assurance-not-control")
    missing = no_chart(ctx)
    if icons["no target"]:
        missing.append(f"{plural(icons['no target'], 'measure')} with a chart have no target, "
                       "so no assurance can be read")
    answer = (f"Assured (target consistently met) on {icons['pass']} measures, not assured "
              f"(consistently missed) on {icons['fail']}, hit and miss on "
              f"{icons['inconsistent']}; {len(ctx.ids('AssuranceActivity'))} assurance "
              "activities are recorded.")
    return answer, ev, missing


def assured_enablers(ctx: Context) -> Result:
    ev: list[Item] = []
    have = set()
    for eid in ctx.ids("Enabler"):
        t = getattr(ctx.node(eid), "enabler_type", None)
        have.add(t)
        sup = ctx.succ(eid, "supports")
        ev.append(ctx.item(eid, f"{t}; supports " + (", ".join(sup) or "nothing recorded")))
    programmes = [p for p in ctx.ids("ImprovementProject")
                  if ctx.node(p).tier in ("system", "directorate")
                  and ctx.node(p).status in LIVE]
    ev += ctx.items(programmes, "live improvement programme")
    staff = [m for m in ctx.ids("Measure")
             if "staff-experience" in (getattr(ctx.node(m), "quadruple_aim", None) or [])]
    ev += [ctx.item(m, "staff experience measure; " + ctx.measure_note(m)) for m in staff]
    lacking = [t for t in schema.DOQ_ENABLERS if t not in have]
    missing = [f"no enabler recorded for: {', '.join(lacking)}"] if lacking else []
    if not staff:
        missing.append("no measure carries the Quadruple Aim's staff experience (culture)")
    answer = (f"{len(schema.DOQ_ENABLERS) - len(lacking)} of the six Duty of Quality enablers "
              f"are recorded, with {plural(len(programmes), 'live improvement programme')} "
              f"and {plural(len(staff), 'staff experience measure')}.")
    return answer, ev, missing
