"""Map filters (kind, unit, status, quality domain, finding, state) and the focus on a node's
neighbourhood, driven in headless Chromium on the example organisation's system map: each
filter hides exactly the items that do not match, and their labels with them. And the
findings map at fit-to-screen: filling the screen, its labels readable (measured in px)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qmsgraph import cli
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore
from qmsgraph.visualisations import render_map

from .conftest import shot, wait_ready

FILES = cli.example_files()
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not all(f.exists() for f in FILES), reason="no example")]

SHOWN = """() => window.qmsgraphMap.nodes.get({filter: n => !n.hidden}).map(n => n.id).sort()"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("filters")
    with SQLiteStore(folder / "n.qmsdb") as s:
        load_files(s, FILES)
        view, report, spc = s.view(), s.audit(), s.spc_summaries()
        out = {}
        for name, which, kw in (("system", "system", {}),
                                ("clustered", "system", {"cluster_threshold": 60}),
                                ("findings", "findings", {})):
            path = folder / f"{name}.html"
            path.write_text(render_map(view, which, report=report, spc=spc, **kw),
                            encoding="utf-8")
            out[name] = path
    return out


def nodes_info(page: Any) -> dict[str, dict[str, Any]]:
    return page.evaluate("() => Object.fromEntries(window.qmsgraphMap.data.nodes"
                         ".map(n => [n.id, n.info]))")


def choose(page: Any, field: str, value: str) -> list[str]:
    page.select_option(f"#filter-{field}", value)
    return page.evaluate(SHOWN)


def test_each_filter_hides_what_it_should(pages, open_page) -> None:
    page, watch = open_page(pages["system"].as_uri())
    wait_ready(page)
    info = nodes_info(page)
    everything = sorted(info)
    assert page.evaluate(SHOWN) == everything

    measures = choose(page, "kind", "Measure")
    assert measures == sorted(i for i, n in info.items() if n["rawKind"] == "Measure")
    assert len(measures) == 51
    assert page.locator("#filter-count").inner_text() == f"Showing 51 of {len(info)} items."
    page.wait_for_timeout(200)
    labelled = {lb["id"] for lb in page.evaluate("window.qmsgraphMap.labels()")}
    assert labelled and labelled <= set(measures)  # hidden items lose their labels too
    shot(page, "map-filter-measures")

    # kind and unit together: the measures Ward 7 owns or watches
    w7 = choose(page, "unit", "T-W7")
    assert w7 == sorted(i for i in measures if "T-W7" in info[i]["units"]) and w7
    # a directorate: its own and its teams' measures
    edges = page.evaluate("window.qmsgraphMap.data.edges")
    teams = {e[0] for e in edges if e[2] == "unitOf" and e[1] == "DIR-MED"}
    assert "T-W7" in teams
    med = choose(page, "unit", "DIR-MED")
    assert med == sorted(i for i in measures if {"DIR-MED", *teams} & set(info[i]["units"]))
    assert set(w7) < set(med)

    # status alone (kind back to all): the stopped projects
    choose(page, "unit", "")
    choose(page, "kind", "")
    stopped = choose(page, "status", "stopped")
    assert stopped == ["QI-049", "QI-050", "QI-051", "QI-060"]
    choose(page, "status", "")

    # quality domain
    domain = page.evaluate("() => document.querySelector('#filter-domain').options[1].value")
    shown = choose(page, "domain", domain)
    assert shown == sorted(i for i, n in info.items() if domain in n["domains"]) and shown
    choose(page, "domain", "")

    # findings: any, by rule
    anyf = choose(page, "finding", "any")
    assert anyf == sorted(i for i, n in info.items() if n["findings"])
    orphaned = choose(page, "finding", "rule:orphaned-work")
    assert orphaned == ["M-OPD-LETTERS", "QI-062", "QI-063", "QI-064"]
    shot(page, "map-filter-orphaned")

    # state (colour): the measures in special-cause concern
    choose(page, "finding", "")
    states = page.evaluate("() => [...document.querySelector('#filter-state').options]"
                           ".map(o => o.value)")
    concern = next(s for s in states if "concern" in s)
    shown = choose(page, "state", concern)
    assert shown == sorted(i for i, n in info.items() if n["state"] == concern)
    assert "M-CANCER62" in shown

    page.click("#filter-reset")
    assert page.evaluate(SHOWN) == everything
    assert page.locator("#filter-count").inner_text() == f"Showing all {len(info)} items."
    watch.assert_clean()


def test_neighbourhood_focus(pages, open_page) -> None:
    page, watch = open_page(pages["system"].as_uri())
    wait_ready(page)
    edges = page.evaluate("window.qmsgraphMap.data.edges")
    near1 = {"M-CANCER62"} | {e[1] for e in edges if e[0] == "M-CANCER62"} | \
        {e[0] for e in edges if e[1] == "M-CANCER62"}
    page.evaluate("window.qmsgraphMap.select('M-CANCER62')")
    page.get_by_role("button", name="Show only its neighbourhood").click()
    shown = set(page.evaluate(SHOWN))
    assert shown == near1 and len(near1) >= 3
    total = page.evaluate("window.qmsgraphMap.data.nodes.length")
    assert page.locator("#filter-count").inner_text() == (
        f"Showing {len(near1)} of {total} items within 1 link(s) of Patients starting cancer "
        "treatment within 62 days of an urgent referral.")
    shot(page, "map-neighbourhood-M-CANCER62")
    page.select_option("#filter-steps", "2")
    near2 = set(near1)
    for e in edges:
        if e[0] in near1:
            near2.add(e[1])
        if e[1] in near1:
            near2.add(e[0])
    assert set(page.evaluate(SHOWN)) == near2 and len(near2) > len(near1)
    # a filter narrows the neighbourhood further
    shown = set(choose(page, "kind", "ImprovementProject"))
    assert shown == {i for i in near2 if i.startswith("QI-")} | {"M-CANCER62"}
    # from the address
    page.goto(pages["system"].as_uri() + "?near=G2&steps=1&kind=Objective")
    wait_ready(page)
    shown = set(page.evaluate(SHOWN))
    objectives = {e[0] for e in edges if e[1] == "G2" and e[0].startswith("O")}
    assert shown == objectives | {"G2"} and objectives
    watch.assert_clean()


def test_filters_on_a_clustered_map(pages, open_page) -> None:
    page, watch = open_page(pages["clustered"].as_uri())
    wait_ready(page)
    clusters = page.evaluate("window.qmsgraphMap.data.clusters.map(c => [c.id, c.members])")
    assert clusters
    shown = set(choose(page, "kind", "ImprovementProject"))
    info = nodes_info(page)
    for cid, members in clusters:  # a closed cluster shows while any member matches
        assert (cid in shown) == any(info[m]["rawKind"] == "ImprovementProject"
                                     for m in members)
    page.click("#expand-all")
    shown = set(page.evaluate(SHOWN))
    assert shown == {i for i, n in info.items() if n["rawKind"] == "ImprovementProject"}
    watch.assert_clean()


def test_findings_map_at_fit_fills_the_screen_with_readable_labels(pages, open_page) -> None:
    """Not a wide flat band of ~6 px labels: at fit the map fills the height of its area too,
    labels are drawn at 13 px on screen where they fit, none cut by the edge or over a row
    title, and most items with an error finding are named."""
    page, watch = open_page(pages["findings"].as_uri())
    wait_ready(page)
    page.click("#fit")
    page.wait_for_timeout(400)
    labels = page.evaluate("window.qmsgraphMap.labels()")
    shot(page, "map-findings-fit")
    box = page.evaluate("""() => {
        const q = window.qmsgraphMap, pos = q.network.getPositions(), c = q.network.body.container;
        const pts = Object.values(pos).map(p => q.network.canvasToDOM(p));
        const ys = pts.map(p => p.y), xs = pts.map(p => p.x);
        return {h: c.clientHeight, w: c.clientWidth, top: Math.min(...ys),
                bottom: Math.max(...ys), left: Math.min(...xs), right: Math.max(...xs)}; }""")
    assert (box["bottom"] - box["top"]) / box["h"] >= 0.6, box  # not a flat band
    assert len(labels) >= 60
    assert min(lb["px"] for lb in labels) >= 12
    width = page.evaluate("""(ls) => { const c = document.createElement('canvas')
        .getContext('2d'); c.font = '13px Arial, sans-serif';
        return ls.map(l => c.measureText(l.text).width); }""", labels)
    for lb, tw in zip(labels, width, strict=True):  # inside the map, not cut at an edge
        assert lb["x"] - tw / 2 >= -2 and lb["x"] + tw / 2 <= box["w"] + 2, lb
    info = nodes_info(page)
    errors = {i for i, n in info.items() if n["findings"] and n["findings"][0][0] == "error"}
    named = errors & {lb["id"] for lb in labels}
    assert len(named) >= 0.75 * len(errors), (sorted(errors - named), len(errors))
    watch.assert_clean()
