"""The Board page's view of the QI portfolio (issue 20): each project's progress level from
the evidence (IHI 0.5-5, :mod:`qmsgraph.alignment.progress`) under the measures it improves,
and the "concern, no work" flag on a measure in special-cause concern, or failing its target,
that no live project improves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qmsgraph.alignment.progress import ProjectProgress

LIVE = ("proposed", "active", "paused")


def progress_badge(progress: Mapping[str, ProjectProgress] | None, pid: str
                   ) -> dict[str, Any] | None:
    """The project's level, its name, what would move it up, and a recorded level the
    evidence does not support."""
    p = (progress or {}).get(pid)
    if p is None:
        return None
    unsupported = p.recorded is not None and not p.supported
    title = f"Progress {p.level:.1f} ({p.name}) from the evidence in the graph"
    if unsupported:
        title += f"; the team records {p.recorded:.1f}, which the evidence does not support"
    if p.next:
        title += f". Next: {p.next}"
    return {"level": f"{p.level:.1f}", "name": p.name, "title": title,
            "recorded": f"{p.recorded:.1f}" if unsupported else None}


def concern_no_work(summary: Mapping[str, Any] | None, projects: list[dict[str, Any]]
                    ) -> str | None:
    """Why the measure needs work no live project is doing (None when it does not)."""
    if not summary or any(p.get("status") in LIVE for p in projects):
        return None
    if str(summary.get("variation_icon") or "").startswith("concern"):
        why = "special-cause concern"
    elif summary.get("assurance_icon") == "fail":
        why = "failing its target"
    else:
        return None
    done = [p for p in projects if p.get("status") in ("completed", "stopped")]
    return why + (f"; {len(done)} finished project(s) only" if done else "")


def no_work_tile(goal_cards: list[dict[str, Any]]) -> dict[str, Any]:
    """Headline: measures in concern (or failing target) that no live project improves."""
    flagged = sorted({m["id"] for g in goal_cards if g.get("status") == "active"
                      for m in g["measures"] if m.get("no_work")})
    return {"value": len(flagged), "label": "concern, no work",
            "detail": "measures in concern or failing target that no live project improves"}


def progress_facts(p: ProjectProgress | None) -> list[list[str]]:
    """The lines a map's node information panel shows for a project's progress."""
    if p is None:
        return []
    out = [["Progress", f"{p.level:.1f} {p.name} (from the evidence, IHI 0.5-5)"]]
    if p.recorded is not None:
        out.append(["Progress recorded", f"{p.recorded:.1f}: " + (
            "supported by the evidence" if p.supported else
            "not supported by the evidence (progress-not-evidenced)")])
    if p.next:
        out.append(["To move up", p.next])
    return out


def view_progress(store: Any, node_ids: list[str], up_to: int = 64
                  ) -> dict[str, ProjectProgress]:
    """The progress of the projects a map shows: one by one (each from its neighbourhood)
    when they are few, else the whole portfolio's (kept per revision by the store)."""
    view = store.view()
    projects = [n for n in node_ids if view.kind(n) == "ImprovementProject"]
    if len(projects) > up_to:
        return store.progress()
    out: dict[str, ProjectProgress] = {}
    for pid in projects:
        out.update(store.progress(pid))
    return out
