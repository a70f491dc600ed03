"""The Duty of Quality report as one self-contained HTML page: inline CSS (with a print
stylesheet), inline SVG Making Data Count icons (:mod:`qmsgraph.spc.icons`, as on the Board
page), no script. Content from :func:`qmsgraph.questions.duty.duty_report`; every id is linked
to its place on the map (``links="file"``: ``map.html?focus=ID`` written beside the report;
``"served"``: the server's map views)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from qmsgraph.spc.icons import icon_for, icon_svg

from . import page
from .board import map_link
from .maps import LinkMode

SHIFT_WORDS = {"shifted": "shifted its measure", "no shift": "no shift",
               "concern": "concern", "too early": "too early to tell",
               "no chart": "no SPC chart", "no start date": "no start date",
               "before the start": "improving before the start"}
STATE_TEXT = {"concern": "special-cause concern (recent)", "failing": "target missed",
              "no chart": "too few points"}
STATE_CLASS = {"concern": "bad", "failing": "bad", "improving": "good", "stable": "neutral",
               "hit and miss": "neutral", "no chart": "neutral"}


def _icon(family: str, name: str | None) -> dict[str, Any] | None:
    icon = icon_for(family, name)
    if icon is None:
        return None
    return {"svg": Markup(icon_svg(icon, 34)),  # noqa: S704 - built from fixed tables
            "text": icon.text}


def render_duty(graph: Any, report: dict[str, Any], *, links: LinkMode = "file",
                map_file: str = "map.html", prefix: str = "") -> str:
    """The page (see the module docstring). ``graph`` is the store's read view; ``prefix``
    goes before each served link (``../`` from ``/reports/duty-of-quality``)."""
    def link(nid: str) -> str | None:
        return prefix + map_link(graph, nid, links, map_file) if nid in graph else None

    for sec in (*report["domains"], *report["enablers"]):
        for r in sec["measures"]:
            r["variation"] = _icon("variation", r["variation_icon"])
            r["assurance"] = _icon("assurance", r["assurance_icon"])
            r["state_class"] = STATE_CLASS.get(r["state"], "neutral")
            r["state_text"] = STATE_TEXT.get(r["state"], r["state"])
    p = report["period"]
    return page.render("duty.html", title=f"Duty of Quality report: {report['organisation']}",
                       r=report, period=f"{p['start']} to {p['end']}", link=link,
                       shift_words=SHIFT_WORDS)
