"""The Board summary page: one self-contained HTML page (inline SVG charts, no script from
anywhere) with

* headline figures: active goals, live projects by alignment, findings, measures of concern;
* findings per rule and per unit as bar charts (each with its data table);
* for each strategic goal, its findings and a table of its measures with their latest SPC
  variation and assurance icons and latest value;
* every finding, each linking to its place on the map.

Links (see docs/maps.md): ``links="file"`` writes ``map.html?focus=ID`` (the board and the map
written side by side; the map opens with that node selected); ``links="served"`` writes
``map?view=thread&focus=ID``, ``map?view=goal&focus=ID`` and ``map?view=unit&unit=ID``,
relative to the page (``/board`` -> ``/map``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from qmsgraph import schema
from qmsgraph.alignment import RULES, SEVERITY_ORDER, AuditReport, Finding, contributors
from qmsgraph.alignment.views import thread_reach
from qmsgraph.graph import QMSGraph
from qmsgraph.model import Measure
from qmsgraph.spc.icons import icon_for, icon_svg
from qmsgraph.spc.measures import board_facts, display_value

from . import page, style
from .board_effort import effort_section
from .board_progress import concern_no_work, no_work_tile, progress_badge
from .changes import changes_section
from .maps import LinkMode, concern_from_spc
from .spark import sparkline

MAP_FILE = "map.html"
CHART_ROWS = 15
THREAD_BELOW = 3  # thread steps below a measure or project shown by its link
PLURAL = {"error": "errors", "warning": "warnings", "info": "notes"}


def map_link(graph: QMSGraph, node_id: str, links: LinkMode = "file",
             map_file: str = MAP_FILE) -> str:
    """Where an item is on the map, in the chosen link scheme."""
    if links == "file":
        return f"{map_file}?" + urlencode({"focus": node_id})
    kind = graph.kind(node_id)
    if kind in ("StrategicGoal", "Objective"):
        return "map?" + urlencode({"view": "goal", "focus": node_id})
    if schema.is_a(kind, "OrganisationalUnit"):
        return "map?" + urlencode({"view": "unit", "unit": node_id})
    if kind in ("Measure", "ImprovementProject"):
        # the thread up to the purpose *and* the work below it (projects, drivers)
        return "map?" + urlencode({"view": "thread", "focus": node_id, "depth": THREAD_BELOW})
    return "map?" + urlencode({"view": "thread", "focus": node_id})


def driver_link(node_id: str, links: LinkMode = "file", map_file: str = MAP_FILE) -> str | None:
    """The project's driver diagram (served pages only)."""
    if links == "file":
        return None
    return "map?" + urlencode({"view": "driver", "focus": node_id})


def chart_link(measure_id: str, links: LinkMode = "file") -> str | None:
    """The measure's full SPC chart (served pages: the API's SVG chart)."""
    if links == "file":
        return None
    return f"measures/{measure_id}/spc.svg"


def units_of(graph: QMSGraph, node_id: str) -> list[str]:
    """The units a finding on this node belongs to: the unit itself, the units that lead it
    (projects, assurance), own it (processes, measures, risks) or deliver it (services)."""
    kind = graph.kind(node_id)
    if schema.is_a(kind, "OrganisationalUnit"):
        return [node_id]
    for rel in ("leads", "owns", "delivers", "monitors"):
        units = sorted(s for s in graph.predecessors(node_id, rel)
                       if schema.is_a(graph.kind(s), "OrganisationalUnit"))
        if units:
            return units
    return []


def _bar_text(parts: list[tuple[int, str, str]]) -> str:
    shown = [(v, n) for v, _, n in parts if v]
    words = [f"{v} {n if v == 1 else PLURAL.get(n, n)}" for v, n in shown]
    total = sum(v for v, _ in shown)
    return f"{total} ({', '.join(words)})" if len(words) > 1 else (words[0] if words else "0")


def _bars(rows: list[dict[str, Any]], width: int = 640, label_w: int = 250,
          row_h: int = 30) -> dict[str, Any]:
    """Geometry of a horizontal stacked bar chart: rows of {label, href, parts: [(value,
    colour, name)]}; each bar ends with its numbers in words."""
    texts = [_bar_text(r["parts"]) for r in rows]
    room = max((len(t) for t in texts), default=0) * 7 + 16  # ~7px a character at 13px
    top = max((sum(p[0] for p in r["parts"]) for r in rows), default=0) or 1
    scale = max(40, width - label_w - room) / top
    out = []
    for i, (r, text) in enumerate(zip(rows, texts, strict=True)):
        x = float(label_w)
        segs = []
        for value, colour, name in r["parts"]:
            if value:
                w = max(2.0, value * scale)
                segs.append({"x": round(x, 1), "w": round(w, 1), "colour": colour,
                             "value": value, "name": name})
                x += w
        out.append({**r, "y": i * row_h + 6, "segs": segs,
                    "total": sum(p[0] for p in r["parts"]), "text": text,
                    "end": round(x + 6, 1)})
    return {"rows": out, "width": width, "height": len(rows) * row_h + 12,
            "label_w": label_w, "row_h": row_h}


def _icon(family: str, name: str | None, size: int = 40) -> dict[str, Any] | None:
    icon = icon_for(family, name)
    if icon is None:
        return None
    return {"svg": Markup(icon_svg(icon, size)),  # noqa: S704 - built from fixed tables
            "text": icon.text, "label": icon.label, "name": icon.name}


# Concern order of a measure row: the most worrying first.
_VARIATION_RANK = {"concern_high": 0, "concern_low": 0, "neutral_high": 2, "neutral_low": 2,
                   "common_cause": 3, "improvement_high": 4, "improvement_low": 4}
_ASSURANCE_RANK = {"fail": 0, "inconsistent": 1, "pass": 2}


def concern_rank(summary: dict[str, Any] | None) -> tuple[int, int]:
    """(variation rank, assurance rank): sorts special-cause concern first, then failing
    targets, hit-and-miss, neutral special cause, common cause, improvement; no chart last."""
    if not summary:
        return (9, 9)
    v = _VARIATION_RANK.get(summary.get("variation_icon") or "", 5)
    a = _ASSURANCE_RANK.get(summary.get("assurance_icon") or "", 3)
    if v == 3 and a == 0:  # common cause that will not meet its target
        v = 1
    return (v, a)


def _via(path: list[Any]) -> str:
    steps = [st.label for st in path[1:-1]]
    text = " \u2192 ".join(steps)
    return text if len(text) <= 70 else text[:69] + "\u2026"


def improving_projects(graph: QMSGraph, measure_id: str) -> list[str]:
    """Projects that improve the measure: directly, or through a change idea of their
    driver diagram."""
    out: set[str] = set()
    for src in graph.predecessors(measure_id, "improves"):
        kind = graph.kind(src)
        if kind == "ImprovementProject":
            out.add(src)
        else:
            out.update(p for p in thread_reach(graph, [src], max_steps=4)
                       if graph.kind(p) == "ImprovementProject")
    return sorted(out)


VERDICT_WORDS = {"aligned": "aligned", "misaligned": "misaligned", "orphaned": "orphaned",
                 "locally-aligned": "locally aligned (a unit's own priority)",
                 "weak": "weakly aligned"}


def _chart_facts(graph: QMSGraph, measure_id: str, link: Any) -> dict[str, Any]:
    """The measure's chart type, its latest annotations (linked) and a rebase prompt."""
    facts = board_facts(graph, measure_id)
    marks = [{"date": a.date.isoformat(), "text": a.text, "short": a.kind_label_lower,
              "href": link(a.node) if a.node else None} for a in facts["marks"]]
    return {"chart_type": facts["chart"], "marks": marks, "prompt": facts["prompt"]}


def render_board(graph: QMSGraph, report: AuditReport,
                 spc: dict[str, dict[str, Any]] | None = None, title: str | None = None, *,
                 links: LinkMode = "file", map_file: str = MAP_FILE,
                 changes: dict[str, Any] | None = None, effort: Any = None,
                 account: dict[str, Any] | None = None,
                 progress: dict[str, Any] | None = None) -> str:
    """The Board summary page as self-contained HTML (see the module docstring).
    ``changes``: what changed since an earlier date (:func:`qmsgraph.alignment.history.since`),
    shown after the headline figures when given (:mod:`.changes`). ``progress``: each
    project's progress (:meth:`Store.progress`), shown under the measures it improves.
    ``effort``: the balance of effort by cadence (:meth:`Store.effort`), shown per level."""
    spc = spc or {}
    findings = sorted(report.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule,
                                                      f.node))
    orgs = sorted(graph.nodes("Organisation"), key=lambda n: n.id)
    heading = title or (f"Board summary: {orgs[0].label}" if orgs else "Board summary")

    def link(nid: str) -> str:
        return map_link(graph, nid, links, map_file)

    # headline figures
    summary = report.summary()
    projects = summary["projects"]
    sev = summary["by_severity"]
    concern = concern_from_spc(spc, 6)
    goals = sorted(graph.nodes("StrategicGoal"),
                   key=lambda g: (g.status != "active", g.id))
    tiles = [
        {"value": sum(1 for g in goals if g.status == "active"), "label": "active goals"},
        {"value": sum(projects.values()), "label": "live projects",
         "detail": f"{projects.get('aligned', 0)} aligned, {projects.get('misaligned', 0)} "
                   f"misaligned, {projects.get('locally-aligned', 0)} locally aligned, "
                   f"{projects.get('orphaned', 0)} orphaned"},
        {"value": len(findings), "label": "findings",
         "detail": f"{sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings"},
        {"value": len(concern), "label": "measures showing concern",
         "detail": f"of {len(spc)} with an SPC chart"},
    ]

    # findings per rule
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        by_rule[f.rule][f.severity] += 1
    rule_rows = []
    for rule in sorted(by_rule, key=lambda r: (-sum(by_rule[r].values()), r)):
        c = by_rule[rule]
        rule_rows.append({"label": rule, "href": f"#rule-{rule}",
                          "title": RULES.get(rule, ("", ""))[1],
                          "parts": [(c.get(s, 0), style.SEVERITY_COLOURS[s], s)
                                    for s in ("error", "warning", "info")]})
    rule_chart = _bars(rule_rows)

    # findings per unit
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        for u in units_of(graph, f.node)[:1] or ["(organisation-wide)"]:
            by_unit[u][f.severity] += 1
    unit_rows = []
    ranked = sorted(by_unit, key=lambda u: (-sum(by_unit[u].values()), u))
    for u in ranked[:CHART_ROWS]:
        c = by_unit[u]
        label = graph.node(u).label if u in graph else u
        unit_rows.append({"label": label, "href": link(u) if u in graph else None,
                          "title": "Goals, objectives and the purpose belong to no unit"
                          if u not in graph else graph.node(u).kind,
                          "parts": [(c.get(s, 0), style.SEVERITY_COLOURS[s], s)
                                    for s in ("error", "warning", "info")]})
    unit_chart = _bars(unit_rows)
    more_units = max(0, len(ranked) - CHART_ROWS)

    # project alignment
    align_rows = [{"label": "Live projects", "href": None, "title": "",
                   "parts": [(projects.get("aligned", 0), "#007f3b", "aligned"),
                             (projects.get("misaligned", 0), "#ffb81c", "misaligned"),
                             (projects.get("locally-aligned", 0), "#41b6e6",
                              "locally aligned"),
                             (projects.get("orphaned", 0), "#d5281b", "orphaned")]}]
    align_chart = _bars(align_rows, label_w=130)

    # goals and their measures
    findings_by_node: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        findings_by_node[f.node].append(f)
    goal_cards = []
    for g in goals:
        c = contributors(graph, g.id)
        rows = []
        for m in c.measures:
            node = graph.node(m.node)
            s = spc.get(m.node) or {}
            latest = latest_date = None
            spark = None
            if isinstance(node, Measure) and node.data:
                p = node.data[-1]
                unit = f" {node.unit_of_measure}" if node.unit_of_measure else ""
                latest = f"{display_value(node, p):g}{unit}"  # a p/u chart: the rate
                latest_date = f"{p.date:%b %Y}"
                spark = sparkline([d.value for d in node.data], s or None,
                                  target=getattr(node, "target", None), label=node.label)
            projects = []
            for pid in improving_projects(graph, m.node):
                pn = graph.node(pid)
                verdict = report.classification.get(pid)
                projects.append({
                    "id": pid, "label": pn.label, "href": link(pid),
                    "drivers": driver_link(pid, links, map_file)
                    if any(graph.kind(d) == "PrimaryDriver"
                           for d in graph.predecessors(pid, "drives")) else None,
                    "status": getattr(pn, "status", None) or "active",
                    "verdict": verdict, "verdict_text": VERDICT_WORDS.get(verdict or "", ""),
                    "findings": [f.rule for f in findings_by_node.get(pid, [])],
                    "progress": progress_badge(progress, pid)})
            projects.sort(key=lambda x: (x["status"] != "active", x["label"]))
            rank = concern_rank(s or None)
            rows.append({
                "id": m.node, "label": node.label, "href": link(m.node),
                "chart": chart_link(m.node, links), "rank": rank,
                "concern": rank[0] * 10 + rank[1],
                "variation": _icon("variation", s.get("variation_icon")),
                "assurance": _icon("assurance", s.get("assurance_icon")),
                "spark": Markup(spark["svg"]) if spark and s else None,  # noqa: S704
                "points": len(node.data) if isinstance(node, Measure) else 0,
                "latest": latest, "latest_date": latest_date,
                "target": f"{node.target:g}" if getattr(node, "target", None) is not None
                else None,
                "findings": [f.rule for f in findings_by_node.get(m.node, [])],
                **_chart_facts(graph, m.node, link),
                "via": _via(m.path),
                "projects": projects,
                "no_work": concern_no_work(s or None, projects),
            })
        rows.sort(key=lambda r: (r["rank"], r["label"], r["id"]))
        worst = min((r["rank"] for r in rows), default=(9, 9))
        goal_cards.append({
            "id": g.id, "label": g.label, "status": g.status, "href": link(g.id),
            "target": f"{g.target:g}" if g.target is not None else None,
            "deadline": g.deadline.isoformat() if g.deadline else None,
            "findings": [{"severity": f.severity, "rule": f.rule, "message": f.message,
                          "badge": style.SEVERITY_BADGES[f.severity]}
                         for f in findings_by_node.get(g.id, [])],
            "measures": rows, "projects": len(c.projects), "processes": len(c.processes),
            "worst": worst,
            "in_concern": sum(1 for r in rows if r["rank"][0] == 0),
        })
    goal_cards.sort(key=lambda gc: (gc["status"] != "active", gc["worst"], gc["id"]))
    tiles.append(no_work_tile(goal_cards))

    finding_rows = [{"severity": f.severity, "badge": style.SEVERITY_BADGES[f.severity],
                     "rule": f.rule, "node": f.node, "label": f.label,
                     "kind": style.KIND_NAMES.get(f.kind, f.kind), "message": f.message,
                     "href": link(f.node)} for f in findings]
    seen_rules: set[str] = set()
    for row in finding_rows:  # the rule's anchor on its first row only (ids are unique)
        row["anchor"] = row["rule"] not in seen_rules
        seen_rules.add(row["rule"])
    overall_map = map_file if links == "file" else "map?view=findings"
    return page.render(
        "board.html", title=heading, tiles=tiles, rule_chart=rule_chart,
        unit_chart=unit_chart, more_units=more_units, align_chart=align_chart,
        goals=goal_cards, findings=finding_rows[:500],
        more_findings=max(0, len(finding_rows) - 500), overall_map=overall_map,
        system_map=map_file if links == "file" else "map?view=system",
        as_of=report.as_of.isoformat() if report.as_of else None,
        generated=dt.date.today().isoformat(), links=links, rules=RULES,
        variation_legend=[_icon("variation", k, 34) for k in
                          ("concern_high", "concern_low", "common_cause", "improvement_high",
                           "improvement_low", "neutral_high", "neutral_low")],
        assurance_legend=[_icon("assurance", k, 34) for k in ("fail", "inconsistent", "pass")],
        changes=changes_section(graph, changes, link, lambda m: chart_link(m, links)),
        effort=effort_section(effort, report, link),
        account=account)
