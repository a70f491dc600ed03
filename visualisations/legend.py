"""The legend of a map: shapes by kind, colours by state, borders, SPC icons, links."""

from __future__ import annotations

from typing import Any

from qmsgraph import schema
from qmsgraph.alignment.views import MapView

from . import page, style


def _legend(kinds: set[str], mv: MapView, spc_seen: bool, severities: set[str],
            findings_view: bool, edge_kinds: set[str], clustered: bool,
            states: set[str] | None = None) -> dict[str, Any]:
    entries = []
    for row in style.ROWS:
        for k in row.kinds:
            if k in kinds:
                shape, _ = style.SHAPES[k]
                entries.append({"svg": page.shape_svg(shape, "#ffffff"),
                                "text": style.KIND_NAMES[k],
                                "aspect": schema.aspect(k)})
    aspect_entries = [{"svg": page.shape_svg("square", style.STATES[s][0]),
                       "text": style.STATES[s][1]}
                      for s in style.STATES if s in (states or set())]
    marks = []
    for sev in ("error", "warning", "info"):
        if sev in severities:
            marks.append({"svg": page.shape_svg("dot", "#ffffff",
                                                style.SEVERITY_COLOURS[sev], stroke_width=4),
                          "text": f"{style.SEVERITY_BADGES[sev]} "
                                  f"{style.SEVERITY_WORDS[sev]}: has a finding of this "
                                  "severity (border colour and badge)"})
    if findings_view:
        marks.append({"svg": page.shape_svg("dot", "#ffffff", style.SEVERITY_COLOURS["warning"],
                                            dashed=True, stroke_width=3),
                      "text": "Dashed border: involved in another item's finding"})
        marks.append({"svg": page.shape_svg("dot", style.MUTED_FILL, style.MUTED_BORDER),
                      "text": "Muted: no finding"})
    if mv.focus:
        marks.append({"svg": page.shape_svg("dot", "#ffffff", style.FOCUS_COLOUR,
                                            stroke_width=4),
                      "text": "Bold outline, larger: the item this map is about"})
    if mv.breaks:
        marks.append({"svg": page.shape_svg("dot", "#ffffff", style.BREAK_COLOUR,
                                            dashed=True, stroke_width=4),
                      "text": "\u2702 Red dashed border: the golden thread breaks here"})
    if clustered:
        marks.append({"svg": page.shape_svg("box", style.lighten("#ed8b00", 0.8), "#ed8b00"),
                      "text": "Box: a unit's work collapsed into one node; double-click "
                              "(or Expand) to open"})
    spc_entries = []
    if spc_seen:
        for icon, (sym, short, _) in style.VARIATION.items():
            spc_entries.append({"symbol": sym, "text": f"{short} ({icon})"})
        for icon, (sym, short, _) in style.ASSURANCE.items():
            spc_entries.append({"symbol": sym, "text": f"assurance: {short} ({icon})"})
    edge_entries = []
    classes = {style.edge_class(k) for k in edge_kinds}
    texts = {"thread": "Golden thread link (points towards the purpose)",
             "unitOf": "Unit structure (part of)",
             "alignsTo": "Declared priority (what the work says it serves)",
             "other": "Other relation (assures, informs, risk, standard ...)"}
    for cls in ("thread", "unitOf", "alignsTo", "other"):
        if cls in classes:
            colour, width, dashed = style.EDGE_STYLES[cls]
            edge_entries.append({"svg": page.shape_svg("line", "none", colour, dashed=dashed,
                                                       stroke_width=max(width, 1.5)),
                                 "text": texts[cls]})
    return {"kinds": entries, "aspects": aspect_entries, "marks": marks, "spc": spc_entries,
            "edges": edge_entries}

