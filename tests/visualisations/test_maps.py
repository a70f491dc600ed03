"""The map and Board pages as HTML: offline, escaped, counted, clustered (no browser)."""

from __future__ import annotations

import json
import re

import pytest

from qmsgraph.visualisations import CLUSTER_THRESHOLD, map_data, render_board, render_map
from qmsgraph.visualisations.page import script_json

from .conftest import HOSTILE, SCRIPT_BREAKER, Org
from .synth import synthetic_org

EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
URL_IN_CSS = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I)
IMPORT = re.compile(r"@import", re.I)


def _payload(html: str) -> dict:
    m = re.search(r'<script id="qmsgraph-data" type="application/json">(.*?)</script>', html,
                  re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def assert_offline(html: str) -> None:
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)[:5]
    assert not URL_IN_CSS.findall(html)
    assert not IMPORT.search(html)
    assert "<link" not in html.lower()
    for word in ("bootstrap", "tom-select", "cdnjs", "jsdelivr", "unpkg"):
        assert word not in html.lower(), word
    assert re.search(r'http-equiv="Content-Security-Policy" content="default-src '
                     r"(&#39;|')none", html)
    # every script is inline
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.I)


VIEWS = [("system", {}), ("unit", {"unit": "med"}), ("thread", {"focus": "QI-1"}),
         ("thread", {"focus": "QI-EVIL"}), ("goal", {"focus": "G1"}), ("findings", {})]


@pytest.mark.parametrize(("view", "kw"), VIEWS)
def test_pages_are_self_contained(org: Org, view: str, kw: dict) -> None:
    html = render_map(org.graph, view, report=org.report, spc=org.spc, **kw)
    assert html.startswith("<!doctype html>")
    assert_offline(html)
    assert "vis.Network" in html  # vis-network is inlined from the pyvis wheel


@pytest.mark.parametrize(("view", "kw"), VIEWS)
def test_hostile_names_are_escaped(org: Org, view: str, kw: dict) -> None:
    html = render_map(org.graph, view, report=org.report, spc=org.spc, **kw)
    assert "<img" not in html
    assert SCRIPT_BREAKER not in html and "<script>window.__pwned" not in html
    assert "<b>bold</b>" not in html
    # three scripts only: the data, vis-network, ours
    assert html.lower().count("</script") == 3
    data = _payload(html)
    names = {n["info"]["name"] for n in data["nodes"]}
    if view in ("system", "findings", "unit") or kw.get("focus") == "QI-EVIL":
        assert HOSTILE in names
    if view in ("system", "findings", "unit", "goal"):
        assert SCRIPT_BREAKER in names


def test_script_json_escapes_markup() -> None:
    text = str(script_json({"a": "</script><!-- & \u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_script_json_and_inlined_scripts_hold_no_code_point_html_forbids() -> None:
    """The Nu HTML checker rejects C1 controls (vis-network's minified file has U+0085)."""
    from qmsgraph.visualisations.page import vis_js

    text = str(script_json({"a": "next\x85line\x9f"}))
    assert "\x85" not in text and json.loads(text) == {"a": "next\x85line\x9f"}
    assert not any("\x7f" <= c <= "\x9f" for c in str(vis_js()))


def test_title_is_escaped(org: Org) -> None:
    html = render_map(org.graph, "system", report=org.report, title=HOSTILE)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_counts_match_the_view(org: Org) -> None:
    from qmsgraph.visualisations import build_view

    for view, kw in VIEWS:
        html = render_map(org.graph, view, report=org.report, spc=org.spc, **kw)
        n = len(build_view(org.graph, view, **kw).nodes)
        assert f'data-node-count="{n}"' in html
        assert f'data-drawn-count="{n}"' in html  # small: no clusters
        assert len(_payload(html)["nodes"]) == n


def test_node_facts_findings_and_spc(org: Org) -> None:
    data = map_data(org.graph, "findings", report=org.report, spc=org.spc)
    by_id = {n["id"]: n for n in data.nodes}
    evil = by_id["QI-EVIL"]
    assert evil["info"]["kind"] == "Improvement project"
    assert ["Led by", "Ward 9"] in evil["info"]["facts"]
    assert ["Status", "active"] in evil["info"]["facts"]
    rules = [f[1] for f in evil["info"]["findings"]]
    assert "orphaned-work" in rules
    assert evil["color"]["border"] == "#d5281b" and evil["borderWidth"] >= 6
    assert evil["label"].startswith("\u2716 ")
    # clean work is muted in the findings view
    assert by_id["PR-falls"]["font"]["color"] != by_id["QI-EVIL"]["font"]["color"]
    # SPC icons on measures: a symbol in the label, the icon names in the tooltip data
    wait = by_id["M-WAIT"]
    spc = wait["info"]["spc"]
    assert spc["variation"] == org.spc["M-WAIT"]["variation_icon"] == "concern_high"
    assert spc["assurance"] == org.spc["M-WAIT"]["assurance_icon"]
    assert "\u25b2 concern (high)" in wait["label"]
    # measures without 12 points have no icon
    assert by_id["M1"]["info"]["spc"] is None


def test_goal_and_unit_links_when_served(org: Org) -> None:
    data = map_data(org.graph, "system", report=org.report, links="served")
    by_id = {n["id"]: n for n in data.nodes}
    assert ["Everything that contributes", "map?view=goal&focus=G1"] in \
        by_id["G1"]["info"]["links"]
    assert ["Unit map", "map?view=unit&unit=ward-7"] in by_id["ward-7"]["info"]["links"]
    assert by_id["QI-1"]["info"]["links"] == [
        ["Golden thread", "map?view=thread&focus=QI-1"],
        ["Thread and the work below it", "map?view=thread&focus=QI-1&depth=3"],
        ["Driver diagram", "map?view=driver&focus=QI-1"]]
    assert map_data(org.graph, "system", report=org.report).nodes[0]["info"]["links"] == []


def test_report_is_computed_when_missing(org: Org) -> None:
    data = map_data(org.graph, "findings", spc=org.spc)
    assert any(f.rule == "orphaned-work" and f.node == "QI-EVIL" for f in data.findings)


def test_legend_lists_what_is_drawn(org: Org) -> None:
    html = render_map(org.graph, "thread", focus="QI-EVIL", report=org.report)
    legend = html[html.index('id="legend-h"'):]
    assert "Improvement project" in legend and "Strategic goal" not in legend
    assert "the golden thread breaks here" in legend
    full = render_map(org.graph, "findings", report=org.report, spc=org.spc)
    assert "concern (high) (concern_high)" in full and "Muted: no finding" in full


# ------------------------------------------------------------------------ large maps

@pytest.fixture(scope="module")
def big():
    from qmsgraph.alignment import audit

    g = synthetic_org(5000)
    return g, audit(g)


def test_small_views_are_not_clustered(org: Org) -> None:
    assert map_data(org.graph, "system", report=org.report).clusters == []


def test_large_system_view_is_clustered_by_unit(big) -> None:
    g, report = big
    data = map_data(g, "system", report=report)
    assert data.node_count == 5000
    assert CLUSTER_THRESHOLD < 5000
    assert data.clusters and data.drawn_count <= CLUSTER_THRESHOLD
    members = [m for c in data.clusters for m in c["members"]]
    assert len(members) == len(set(members))
    assert data.drawn_count == 5000 - len(members) + len(data.clusters)
    # one cluster per unit and stage, each member led/owned by that unit
    for c in data.clusters[:20]:
        unit = c["id"].rsplit(":", 1)[1]
        assert g.kind(unit) == "Team"
        assert c["info"]["count"] == len(c["members"]) >= 2
    by_id = {n["id"]: n for n in data.nodes}
    assert all(by_id[m]["cluster"] for m in members)
    # every node has a fixed position, and its full-layout position for "Expand all"
    assert all("x" in n and "fx" in n for n in data.nodes)
    # layout stays compact: about as wide as it is tall, not one endless row
    xs = [n["fx"] for n in data.nodes]
    ys = [n["fy"] for n in data.nodes]
    assert (max(xs) - min(xs)) < 4 * (max(ys) - min(ys))


def test_findings_are_never_hidden_in_clusters(big) -> None:
    g, report = big
    data = map_data(g, "findings", report=report)
    flagged = {f.node for f in report.findings}
    members = {m for c in data.clusters for m in c["members"]}
    assert data.clusters and not (members & flagged)


def test_threshold_is_configurable(org: Org) -> None:
    data = map_data(org.graph, "system", report=org.report, cluster_threshold=5)
    assert data.clusters and data.drawn_count < data.node_count


def test_large_page_renders_quickly_enough(big) -> None:
    import time

    g, report = big
    t = time.perf_counter()
    html = render_map(g, "system", report=report)
    assert time.perf_counter() - t < 30
    assert_offline(html)
    assert 'data-node-count="5000"' in html


# ------------------------------------------------------------------------ the board

def test_board_page(org: Org) -> None:
    html = render_board(org.graph, org.report, org.spc, "Minitown Board")
    assert_offline(html)
    assert "<script" not in html.lower()  # no script at all
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert SCRIPT_BREAKER not in html
    # charts are inline SVG with text alternatives
    assert html.count('<svg role="group" aria-labelledby=') >= 3  # the bar charts (links)
    assert "Findings by rule as a table" in html and "Findings by unit as a table" in html
    # file links: the map written beside the board, at the node
    assert 'href="map.html?focus=QI-EVIL"' in html
    assert 'href="map.html?focus=G1"' in html
    # per goal: its measures with SPC icons as symbols with text
    g1 = html[html.index(">Reduce avoidable harm</a>"):]
    assert "Falls per 1,000 bed days" in g1
    assert 'aria-label="Special cause concern (high)"' in g1  # the shared MDC icon
    assert 'data-icon="concern_high"' in g1
    assert "too few for a chart" in g1 and "no SPC chart" in g1  # M1 has 2 points
    # each measure with a chart has its sparkline with a text alternative
    assert 'class="spark" role="img" aria-label="SPC chart of' in g1


def test_board_links_when_served(org: Org) -> None:
    html = render_board(org.graph, org.report, org.spc, links="served")
    assert 'href="map?view=thread&amp;focus=QI-EVIL&amp;depth=3"' in html
    assert 'href="map?view=goal&amp;focus=G1"' in html
    assert 'href="map?view=unit&amp;unit=ward-9"' in html
    assert 'href="map?view=findings"' in html
