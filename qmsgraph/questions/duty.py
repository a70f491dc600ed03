"""The Duty of Quality report's content for a period (NHS Wales's Duty of Quality: a yearly
report against the six quality domains, the six enablers and the four QMS aspects, with
evidence of improvement).

:func:`duty_report` returns plain data (dicts and lists, JSON-ready); the HTML page is drawn
by ``qmsgraph.visualisations.duty`` and the Markdown by :func:`duty_markdown`.

Definitions
-----------
* A domain's **goals**: active goals and objectives that name it; its **measures**: measures
  that name it, and measures naming no domain that indicate one of its goals (as the
  ``domain-without-measure`` rule reads them).
* **Improvement completed in the period**: projects with status ``completed`` and an end date
  in the period that improve one of the measures (directly or through their driver diagram);
  each measure is judged with :meth:`Context.shift` - *shifted* when the SPC chart shows a
  special-cause improvement point dated on or after the project's start.
* **Assurance done**: assurance activities dated in the period that assure one of the goals,
  measures, or the processes and services those measures monitor; undated recurring
  activities (with a ``frequency``) are listed as *recurring, no date recorded*.
* An **enabler type**'s goals are what its enablers ``support``; then as for a domain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from .. import schema
from ..errors import ValidationError
from .catalogue import QUESTIONS, answer
from .context import LIVE, Context

ASPECT_NAMES = {"planning": "Quality Planning", "control": "Quality Control",
                "assurance": "Quality Assurance", "improvement": "Quality Improvement"}
DOMAIN_NAMES = {"safe": "Safe", "timely": "Timely", "effective": "Effective",
                "efficient": "Efficient", "equitable": "Equitable",
                "person-centred": "Person-centred"}
ENABLER_NAMES = {"leadership": "Leadership", "workforce": "Workforce", "culture": "Culture",
                 "information": "Information",
                 "learning-improvement-research": "Learning, improvement and research",
                 "whole-system": "Whole-system approach"}
_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """'2025-04-01:2026-03-31' -> (start, end); a clear error naming --period otherwise."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise ValidationError(f"period {text!r} is not START:END with ISO dates, e.g. "
                              "2025-04-01:2026-03-31", field="period")
    try:
        start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
    except ValueError as err:
        raise ValidationError(f"period {text!r}: {err}", field="period") from None
    if end < start:
        raise ValidationError(f"period {text!r} ends before it starts", field="period")
    return start, end


def default_period(ctx: Context) -> tuple[dt.date, dt.date]:
    """The April-to-March year that holds the latest data point of any measure (today's
    when there is none)."""
    last = max((ctx.node(m).data[-1].date for m in ctx.ids("Measure") if ctx.node(m).data),
               default=dt.date.today())
    y = last.year if last.month >= 4 else last.year - 1
    return dt.date(y, 4, 1), dt.date(y + 1, 3, 31)


def _in(d: dt.date | None, period: tuple[dt.date, dt.date]) -> bool:
    return d is not None and period[0] <= d <= period[1]


def _measure_row(ctx: Context, mid: str, period: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """The measure's icons (its chart to the latest data) and its latest value in the
    period."""
    m = ctx.node(mid)
    s = ctx.spc.get(mid) or {}
    last = next((p for p in reversed(m.data) if p.date <= period[1]), None)
    return {"id": mid, "label": m.label, "state": ctx.measure_state(mid),
            "variation_icon": s.get("variation_icon"), "assurance_icon": s.get("assurance_icon"),
            "variation_label": s.get("variation_label"),
            "assurance_label": s.get("assurance_label"),
            "latest": last.value if last else None,
            "latest_date": last.date.isoformat() if last else None,
            "unit": m.unit_of_measure, "target": m.target, "points": len(m.data)}


def _section(ctx: Context, goals: list[str], measures: list[str],
             period: tuple[dt.date, dt.date]) -> dict[str, Any]:
    mset = set(measures)
    done, live = [], 0
    for pid in ctx.ids("ImprovementProject"):
        p = ctx.node(pid)
        pm = [x for x in ctx.project_measures(pid) if x in mset]
        if not pm:
            continue
        if p.status == "completed" and _in(p.end_date, period):
            shifts = [{"measure": x, "label": ctx.g.label(x),
                       **dict(zip(("state", "note"), ctx.shift(x, p.start_date),
                                  strict=True))} for x in pm]
            done.append({"id": pid, "label": p.label, "start": _iso(p.start_date),
                         "end": _iso(p.end_date), "shifts": shifts,
                         "shifted": any(s["state"] == "shifted" for s in shifts)})
        elif p.status in LIVE and (p.start_date is None or p.start_date <= period[1]):
            live += 1
    watched = set(goals) | mset
    for mid in measures:
        watched.update(ctx.succ(mid, "measures"))
    assurance, recurring = [], []
    for aid in ctx.ids("AssuranceActivity"):
        if not watched.intersection(ctx.succ(aid, "assures")):
            continue
        a = ctx.node(aid)
        row = {"id": aid, "label": a.label, "kind": ctx.g.kind(aid), "date": _iso(a.date),
               "rating": a.rating, "frequency": a.frequency}
        if _in(a.date, period):
            assurance.append(row)
        elif a.date is None and a.frequency:
            recurring.append(row)
    return {"goals": [{"id": g, "label": ctx.g.label(g), "kind": ctx.g.kind(g)}
                      for g in goals],
            "measures": [_measure_row(ctx, m, period) for m in measures],
            "improvement": done, "live_projects": live,
            "assurance": sorted(assurance, key=lambda r: r["date"] or ""),
            "recurring": recurring}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _gaps(sec: dict[str, Any], what: str) -> list[str]:
    gaps = []
    if not sec["goals"]:
        gaps.append(f"no active goal or objective {what}")
    if not sec["measures"]:
        gaps.append("no measure")
    for r in sec["measures"]:
        if r["state"] in ("concern", "failing"):
            gaps.append(f"{r['label']} ({r['id']}): {r['state']}")
        elif r["state"] == "no chart":
            gaps.append(f"{r['label']} ({r['id']}): no SPC chart ({r['points']} points)")
    if sec["measures"] and not sec["improvement"]:
        gaps.append("no improvement completed in the period")
    for p in sec["improvement"]:
        if not p["shifted"]:
            gaps.append(f"{p['label']} ({p['id']}) completed without shifting its measure")
    if not sec["assurance"]:
        gaps.append("no assurance dated in the period" + (
            f" ({len(sec['recurring'])} recurring activities have no date recorded)"
            if sec["recurring"] else ""))
    return gaps


def _domains(ctx: Context, period: tuple[dt.date, dt.date]) -> list[dict[str, Any]]:
    out = []
    for d in schema.QUALITY_DOMAINS:
        goals = [g for kind in ("StrategicGoal", "Objective") for g in ctx.ids(kind)
                 if d in (ctx.node(g).quality_domains or [])
                 and getattr(ctx.node(g), "status", "active") == "active"]
        measures = {m for m in ctx.ids("Measure") if d in (ctx.node(m).quality_domains or [])}
        # untagged measures of its goals count for it (tagged ones count for their own)
        measures.update(m for g in goals for m in ctx.pred(g, "indicates")
                        if not ctx.node(m).quality_domains)
        sec = _section(ctx, goals, sorted(measures), period)
        out.append({"key": d, "name": DOMAIN_NAMES[d], **sec,
                    "gaps": _gaps(sec, "names this domain")})
    return out


def _enablers(ctx: Context, period: tuple[dt.date, dt.date]) -> list[dict[str, Any]]:
    out = []
    for t in schema.DOQ_ENABLERS:
        ens = [e for e in ctx.ids("Enabler") if ctx.node(e).enabler_type == t]
        supported = sorted({s for e in ens for s in ctx.succ(e, "supports")})
        goals = [g for g in supported if ctx.g.kind(g) in ("StrategicGoal", "Objective")]
        measures = sorted({m for g in goals for m in ctx.pred(g, "indicates")})
        sec = _section(ctx, goals, measures, period)
        gaps = ([f"no {ENABLER_NAMES[t].lower()} enabler recorded"] if not ens else
                [f"{ctx.g.label(e)} ({e}) supports nothing" for e in ens
                 if not ctx.succ(e, "supports")])
        gaps += [] if not ens else _gaps(sec, "that these enablers support")
        out.append({"key": t, "name": ENABLER_NAMES[t],
                    "enablers": [{"id": e, "label": ctx.g.label(e),
                                  "supports": ctx.succ(e, "supports")} for e in ens],
                    "supported": [{"id": s, "label": ctx.g.label(s), "kind": ctx.g.kind(s)}
                                  for s in supported], **sec, "gaps": gaps})
    return out


def _cadence(ctx: Context) -> dict[str, list[list[Any]]]:
    """How often each aspect's recorded activities happen (``frequency``), per aspect:
    planning - driver processes and planning tools; control - mainstay and support processes,
    measures and control tools; assurance - assurance activities and tools; improvement -
    improvement tools (projects run in bursts: their dates are counted above)."""
    def freq(ids: list[str]) -> list[list[Any]]:
        c = Counter(getattr(ctx.node(x), "frequency", None) or "not recorded" for x in ids)
        order = [*schema.CADENCES, "not recorded"]
        return [[k, c[k]] for k in order if c[k]]

    procs = ctx.ids("Process")
    return {
        "planning": freq([p for p in procs if ctx.node(p).process_type == "driver"]
                         + ctx.ids("PlanningTool")),
        "control": freq([p for p in procs if ctx.node(p).process_type != "driver"]
                        + ctx.ids("Measure") + ctx.ids("ControlTool")),
        "assurance": freq(ctx.ids("AssuranceActivity") + ctx.ids("AssuranceTool")),
        "improvement": freq(ctx.ids("ImprovementTool")),
    }


def _aspects(ctx: Context, period: tuple[dt.date, dt.date]) -> list[dict[str, Any]]:
    def count(kind: str, pred: Any = None) -> int:
        return sum(1 for x in ctx.ids(kind) if pred is None or pred(ctx.node(x)))

    def used(kind: str) -> int:
        return sum(1 for t in ctx.ids(kind) if ctx.pred(t, "uses"))

    projects = [ctx.node(p) for p in ctx.ids("ImprovementProject")]
    acts = [ctx.node(a) for a in ctx.ids("AssuranceActivity")]
    monitored = sum(1 for m in ctx.ids("Measure") if ctx.pred(m, "monitors"))
    return [
        {"key": "planning", "name": ASPECT_NAMES["planning"], "items": [
            ("active strategic goals", count("StrategicGoal", lambda n: n.status == "active")),
            ("population needs", count("PopulationNeed")),
            ("services", count("Service")),
            ("driver processes", count("Process", lambda n: n.process_type == "driver")),
            ("planning tools in use", used("PlanningTool"))]},
        {"key": "control", "name": ASPECT_NAMES["control"], "items": [
            ("measures monitored in daily control", monitored),
            ("measures with an SPC chart", len(ctx.spc)),
            ("measures showing special-cause concern", len(ctx.concern)),
            ("daily or weekly processes",
             count("Process", lambda n: n.frequency in ("daily", "weekly"))),
            ("control tools in use", used("ControlTool"))]},
        {"key": "assurance", "name": ASPECT_NAMES["assurance"], "items": [
            ("assurance activities dated in the period", sum(_in(a.date, period) for a in acts)),
            ("recurring activities with no date recorded",
             sum(a.date is None and bool(a.frequency) for a in acts)),
            ("standards checked against", count("Standard")),
            ("assurance tools in use", used("AssuranceTool"))]},
        {"key": "improvement", "name": ASPECT_NAMES["improvement"], "items": [
            ("projects completed in the period",
             sum(p.status == "completed" and _in(p.end_date, period) for p in projects)),
            ("projects started in the period", sum(_in(p.start_date, period) for p in projects)),
            ("projects live (proposed, active, paused)", sum(p.status in LIVE for p in projects)),
            ("improvement tools in use", used("ImprovementTool"))]},
    ]


def _levels(ctx: Context) -> dict[str, dict[str, float]]:
    rows = ctx.store.balance(ctx.cfg)
    levels: dict[str, list[dict[str, int]]] = {}
    for u, c in rows.items():
        if sum(c.values()):
            levels.setdefault(ctx.g.kind(u), []).append(c)
    out = {}
    for k, cs in sorted(levels.items(), key=lambda kv: _LEVEL_ORDER.get(kv[0], 9)):
        out[LEVEL_NAMES.get(k, k)] = {
            a: round(100 * sum(c[a] / sum(c.values()) for c in cs) / len(cs), 1)
            for a in ("QP", "QC", "QA", "QI")}
    return out


LEVEL_NAMES = {"HealthSystem": "System (national, region)",
               "Organisation": "Board (organisation)",
               "Directorate": "Directorate (middle management)",
               "OrganisationalUnit": "Other units", "Team": "Team (microsystem)"}
_LEVEL_ORDER = {"HealthSystem": 0, "Organisation": 1, "Directorate": 2,
                "OrganisationalUnit": 3, "Team": 4}


def duty_report(store: Any, period: tuple[dt.date, dt.date] | None = None,
                config: Any = None) -> dict[str, Any]:
    """The report's content (see the module docstring), from one snapshot of ``store``."""
    with store.snapshot():
        ctx = Context(store, config)
        period = period or default_period(ctx)
        orgs = ctx.ids("Organisation") or ctx.ids("HealthSystem")
        learning = ("informs-nothing", "need-not-addressed", "gains-not-held",
                    "domain-without-measure", "domain-without-goal", "assurance-heavy-unit",
                    "unit-without-planning")
        return {
            "organisation": ctx.g.label(orgs[0]) if orgs else "the organisation",
            "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
            "generated": dt.date.today().isoformat(),
            "domains": _domains(ctx, period),
            "enablers": _enablers(ctx, period),
            "aspects": [{**a, "items": [list(i) for i in a["items"]],
                         "cadence": _cadence(ctx)[a["key"]]} for a in _aspects(ctx, period)],
            "levels": _levels(ctx),
            "findings": [{"rule": f.rule, "severity": f.severity, "node": f.node,
                          "label": f.label, "message": f.message}
                         for f in ctx.report.findings if f.rule in learning],
            "questions": [answer(ctx, q.id).model_dump() for q in QUESTIONS
                          if q.source.endswith("Where to start")],
        }


def _cell(text: Any) -> str:
    """Text for a Markdown line or table cell: no line break, ``|`` escaped, and ``< > &`` as
    entities (a Markdown viewer would otherwise pass HTML in a label through)."""
    text = str("" if text is None else text).replace("&", "&amp;").replace("<", "&lt;")
    return text.replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def _md_section(sec: dict[str, Any], lines: list[str]) -> None:
    goals = ", ".join(f"{g['label']} (`{g['id']}`)" for g in sec["goals"]) or "none"
    lines += [f"**Goals:** {_cell(goals)}", ""]
    if sec["measures"]:
        lines += ["| measure | variation | assurance | latest | target |", "|---|---|---|---|---|"]
        for r in sec["measures"]:
            latest = f"{r['latest']:g} ({r['latest_date']})" if r["latest"] is not None else ""
            lines.append(f"| {_cell(r['label'])} (`{r['id']}`) | "
                         f"{_cell(r['variation_label'] or 'no SPC chart')} | "
                         f"{_cell(r['assurance_label'] or 'no target')} | {latest} | "
                         f"{'' if r['target'] is None else format(r['target'], 'g')} |")
        lines.append("")
    if sec["improvement"]:
        lines.append("**Improvement completed in the period:**")
        for p in sec["improvement"]:
            shifts = "; ".join(f"{s['measure']}: {s['state']} ({s['note']})"
                               for s in p["shifts"])
            lines.append(f"- {_cell(p['label'])} (`{p['id']}`, ended {p['end']}): {shifts}")
        lines.append("")
    lines.append("**Assurance done:** " + (", ".join(
        f"{_cell(a['label'])} (`{a['id']}`, {a['date']}, {_cell(a['rating'] or 'no rating')})"
        for a in sec["assurance"]) or "none dated in the period"))
    lines.append("")
    if sec["gaps"]:
        lines.append("**Gaps:**")
        lines += [f"- {_cell(g)}" for g in sec["gaps"]]
        lines.append("")


def duty_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown (GitHub tables)."""
    p = report["period"]
    lines = [f"# Duty of Quality report: {_cell(report['organisation'])}", "",
             f"Period {p['start']} to {p['end']}; generated {report['generated']} by "
             "qmsgraph.", "", "## The four aspects of the QMS", ""]
    for a in report["aspects"]:
        lines.append(f"- **{a['name']}:** " + "; ".join(f"{n} {w}" for w, n in a["items"])
                     + (" (cadence: " + ", ".join(f"{n} {k}" for k, n in a["cadence"]) + ")"
                        if a["cadence"] else ""))
    if report["levels"]:
        lines += ["", "| level | planning % | control % | assurance % | improvement % |",
                  "|---|---|---|---|---|"]
        lines += [f"| {k} | {v['QP']:g} | {v['QC']:g} | {v['QA']:g} | {v['QI']:g} |"
                  for k, v in report["levels"].items()]
    lines += ["", "## Quality domains", ""]
    for d in report["domains"]:
        lines += [f"### {d['name']}", ""]
        _md_section(d, lines)
    lines += ["## Enablers", ""]
    for e in report["enablers"]:
        lines += [f"### {e['name']}", "", "**Enablers:** " + (", ".join(
            f"{_cell(x['label'])} (`{x['id']}`)" for x in e["enablers"]) or "none recorded"),
            ""]
        _md_section(e, lines)
    lines += ["## The learning system: findings", ""]
    lines += [f"- {f['severity']} `{f['rule']}` `{f['node']}`: {_cell(f['message'])}"
              for f in report["findings"]] or ["- none"]
    lines += ["", "## Where to start: the questions", ""]
    for q in report["questions"]:
        lines += [f"### {q['number']}. {_cell(q['text'])}", "", _cell(q["answer"]), ""]
        lines += [f"- `{e['id']}` {_cell(e['label'])}: {_cell(e['note'])}"
                  for e in q["evidence"][:15]]
        if len(q["evidence"]) > 15:
            lines.append(f"- ... and {len(q['evidence']) - 15} more")
        if q["missing"]:
            lines.append("")
            lines += [f"- *missing:* {_cell(m)}" for m in q["missing"]]
        lines.append("")
    return "\n".join(lines) + "\n"
