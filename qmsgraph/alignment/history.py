"""What changed since the last Board.

Boards meet monthly and the first question is what moved. Every ``qmsgraph audit`` and
``qmsgraph board`` keeps a small **record** of what the audit saw - each finding, the goals
at risk, every measure's Making Data Count icons, every project's status, verdict and links
- under the day it ran (:func:`today`: the machine's date, or ``QMSGRAPH_TODAY`` for
back-filling and tests). One record a day, the latest run of the day winning; recording is
one row and costs a write nothing (records are taken when an audit runs, not on writes).

``changes(old, new)`` compares two records: findings new and resolved, goals newly at risk
or recovered, measures whose variation or assurance icon changed, projects started, stopped
or re-aligned. ``qmsgraph audit --since 2025-08-01`` and the Board page compare the latest
record on or before that day (the baseline) with the audit now; each change carries its
evidence (the finding's related nodes, the concerning measures, the old and new icons,
statuses, verdicts and links).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from ..errors import ValidationError

RECORD_VERSION = 1
LIVE = ("active",)
THREAD_OUT = ("improves", "alignsTo", "subProjectOf")  # a project's links to its purpose
MAX_RELATED = 20


def today() -> dt.date:
    """The day a record is kept under: ``QMSGRAPH_TODAY`` (YYYY-MM-DD) when set, else the
    machine's date."""
    text = os.environ.get("QMSGRAPH_TODAY")
    if not text:
        return dt.date.today()
    return parse_day(text, "QMSGRAPH_TODAY")


def parse_day(text: str, where: str = "--since") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD)", location=where) from None


def record(graph: Any, report: Any, spc: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the audit saw, as plain JSON: findings, goals at risk, measure icons, projects.
    ``graph`` is a store's read view."""
    findings = {}
    at_risk = {}
    for f in report.findings:
        findings[f"{f.rule} {f.node}"] = {
            "rule": f.rule, "node": f.node, "severity": f.severity, "label": f.label,
            "kind": f.kind, "message": f.message,
            "related": list(f.evidence.related[:MAX_RELATED])}
        if f.rule == "at-risk-goal":
            at_risk[f.node] = {"label": f.label, "measures": list(f.evidence.related)}
    measures = {}
    for mid, s in sorted(spc.items()):
        if mid in graph:
            measures[mid] = {"label": graph.label(mid),
                             "variation": s.get("variation_icon"),
                             "assurance": s.get("assurance_icon")}
    fast = getattr(graph, "project_statuses", None)  # the embedded store: from its arrays
    statuses = fast() if fast else {p.id: p.status for p in graph.nodes("ImprovementProject")}
    projects = {}
    for pid, status in sorted(statuses.items()):
        links = sorted(f"{k} {t}" for k, t in graph.out_keys(pid) if k in THREAD_OUT)
        projects[pid] = {"label": graph.label(pid), "status": status,
                         "verdict": report.classification.get(pid), "links": links}
    return {"version": RECORD_VERSION, "findings": findings, "at_risk": at_risk,
            "measures": measures, "projects": projects}


def _project_change(pid: str, old: dict | None, new: dict | None) -> tuple[str, dict] | None:
    was = old["status"] if old else None
    now = new["status"] if new else None
    item = {"node": pid, "label": (new or old or {}).get("label", pid),
            "status": [was, now or "removed"],
            "verdict": [(old or {}).get("verdict"), (new or {}).get("verdict")],
            "links": [(old or {}).get("links", []), (new or {}).get("links", [])]}
    if now in LIVE and was not in LIVE:
        return "projects_started", item
    if was in LIVE and now not in LIVE:
        return "projects_stopped", item
    if old and new and now in LIVE and (old["verdict"] != new["verdict"]
                                        or old["links"] != new["links"]):
        return "projects_realigned", item
    return None


CHANGE_KEYS = ("findings_new", "findings_resolved", "goals_at_risk", "goals_recovered",
               "measures_changed", "projects_started", "projects_stopped",
               "projects_realigned")


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The changes from record ``old`` to record ``new`` (each list sorted by node)."""
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in CHANGE_KEYS}
    of, nf = old["findings"], new["findings"]
    out["findings_new"] = [nf[k] for k in sorted(nf.keys() - of.keys())]
    out["findings_resolved"] = [of[k] for k in sorted(of.keys() - nf.keys())]
    oa, na = old["at_risk"], new["at_risk"]
    out["goals_at_risk"] = [{"node": g, **na[g]} for g in sorted(na.keys() - oa.keys())]
    out["goals_recovered"] = [{"node": g, **oa[g]} for g in sorted(oa.keys() - na.keys())]
    om, nm = old["measures"], new["measures"]
    for mid in sorted(om.keys() | nm.keys()):
        a, b = om.get(mid) or {}, nm.get(mid) or {}
        if (a.get("variation"), a.get("assurance")) != (b.get("variation"), b.get("assurance")):
            out["measures_changed"].append({
                "node": mid, "label": (b or a).get("label", mid),
                "variation": [a.get("variation"), b.get("variation")],
                "assurance": [a.get("assurance"), b.get("assurance")]})
    op, np_ = old["projects"], new["projects"]
    for pid in sorted(op.keys() | np_.keys()):
        found = _project_change(pid, op.get(pid), np_.get(pid))
        if found:
            out[found[0]].append(found[1])
    for key in ("findings_new", "findings_resolved"):
        out[key].sort(key=lambda f: (f["node"], f["rule"]))
    return out


def since(store: Any, day: dt.date, now: dict[str, Any]) -> dict[str, Any]:
    """The changes from the latest record kept on or before ``day`` to ``now``, with the
    baseline's day; a clear error when no record is that old."""
    if not getattr(store, "keeps_history", False):
        raise ValidationError(f"{type(store).__name__} keeps no audit records: 'since' needs "
                              "the embedded store (qmsgraph pull copies a Neo4j store into "
                              "one)", location="--since")
    days = store.history_days()
    before = [d for d in days if d <= day.isoformat()]
    if not before:
        kept = f"the earliest is {days[0]}" if days else "none is kept yet"
        raise ValidationError(
            f"no audit was recorded on or before {day.isoformat()} ({kept}); records are "
            "kept each day 'qmsgraph audit' or 'qmsgraph board' runs", location="--since")
    baseline = before[-1]
    old = store.get_history(baseline)
    return {"since": day.isoformat(), "baseline": baseline, **changes(old, now)}


def count(ch: dict[str, Any]) -> int:
    return sum(len(ch.get(k, [])) for k in CHANGE_KEYS)


def keep(store: Any, graph: Any, report: Any, spc: dict[str, dict[str, Any]],
         day: dt.date | None = None) -> tuple[dict[str, Any], str | None]:
    """Record the audit under ``day`` (default :func:`today`) and return (record, problem):
    ``problem`` says why it was not kept (a store that keeps no history, a busy or
    read-only file) - the audit itself stands either way."""
    import sqlite3

    from ..errors import StoreError

    rec = record(graph, report, spc)
    if not getattr(store, "keeps_history", False):
        return rec, None  # a server store (Neo4j) keeps none: 'since' says so when asked
    try:
        store.put_history((day or today()).isoformat(), rec)
    except (StoreError, sqlite3.OperationalError) as err:
        return rec, f"this audit was not recorded for 'audit --since': {err}"
    return rec, None


WORDS = {"findings_new": "New findings", "findings_resolved": "Findings resolved",
         "goals_at_risk": "Goals newly at risk", "goals_recovered": "Goals recovered",
         "measures_changed": "Measures whose SPC icon changed",
         "projects_started": "Projects started", "projects_stopped": "Projects stopped",
         "projects_realigned": "Projects re-aligned"}


def describe(key: str, item: dict[str, Any]) -> str:
    """One line of plain text for a change (the CLI, the Board page's text)."""
    if key in ("findings_new", "findings_resolved"):
        return f"{item['severity']} {item['rule']}: {item['message']}"
    if key in ("goals_at_risk", "goals_recovered"):
        ms = ", ".join(item["measures"])
        return (f"{item['label']}: concern in {ms}" if key == "goals_at_risk"
                else f"{item['label']}: no special-cause concern now (was {ms})")
    if key == "measures_changed":
        parts = []
        for fam in ("variation", "assurance"):
            a, b = item[fam]
            if a != b:
                parts.append(f"{fam} {_icon_word(a)} \u2192 {_icon_word(b)}")
        return f"{item['label']}: {'; '.join(parts)}"
    was, now = item["status"]
    text = f"{item['label']}: " + (f"{was or 'new'} \u2192 {now}" if was != now else now)
    (va, vb), (la, lb) = item["verdict"], item["links"]
    if key == "projects_realigned" or (va and vb and va != vb):
        if va != vb:
            text += f"; verdict {va or 'none'} \u2192 {vb or 'none'}"
        gone, added = sorted(set(la) - set(lb)), sorted(set(lb) - set(la))
        if added:
            text += "; now " + ", ".join(added)
        if gone:
            text += "; no longer " + ", ".join(gone)
    elif key == "projects_started" and lb:
        text += f" ({vb or 'not classified'}: {', '.join(lb)})"
    return text


def _icon_word(name: str | None) -> str:
    return (name or "none").replace("_", " ")
