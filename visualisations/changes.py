"""The Board page's "What changed since" section: the changes of
:func:`qmsgraph.alignment.history.since`, each linked to its evidence on the map (the
finding's node, the goal's thread, the measure's thread with the work below it and its SPC
chart, the project's thread). Kept apart from :mod:`.board` so each part stays small."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qmsgraph.alignment.history import CHANGE_KEYS, WORDS, count, describe


def changes_section(graph: Any, ch: dict[str, Any] | None, link: Callable[[str], str],
                    chart: Callable[[str], str | None]) -> dict[str, Any] | None:
    """Template context for ``changes.html``: groups of items with text and links (a node
    no longer in the graph - a project removed - has no link)."""
    if ch is None:
        return None
    groups = []
    for key in CHANGE_KEYS:
        items = []
        for item in ch[key]:
            nid = item["node"]
            here = nid in graph
            evidence = []
            if key in ("findings_new", "findings_resolved", "goals_at_risk",
                       "goals_recovered"):
                evidence = [{"id": r, "href": link(r)} for r in
                            item.get("related") or item.get("measures") or [] if r in graph]
            items.append({"id": nid, "label": item.get("label", nid),
                          "href": link(nid) if here else None,
                          "chart": chart(nid) if here and key == "measures_changed" else None,
                          "text": describe(key, item), "evidence": evidence[:8]})
        groups.append({"key": key, "title": WORDS[key], "entries": items})
    return {"since": ch["since"], "baseline": ch["baseline"], "count": count(ch),
            "groups": groups, "none": [g["title"] for g in groups if not g["entries"]]}
