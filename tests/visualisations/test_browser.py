"""The pages in real headless Chromium, with every request to another host blocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.visualisations import build_view, map_data, render_map
from qmsgraph.visualisations.commands import write_pages

from .conftest import (
    HOSTILE,
    SCRIPT_BREAKER,
    Org,
    hover_tooltip,
    node_screen_pos,
    shot,
    wait_ready,
    wait_until,
)
from .synth import synthetic_org

pytestmark = pytest.mark.browser

VIEWS = [("system", {}, "QI-1"), ("unit", {"unit": "med"}, "M1"),
         ("thread", {"focus": "QI-1"}, "G1"), ("thread", {"focus": "QI-DEP"}, "G-DEP"),
         ("goal", {"focus": "G1"}, "O1"), ("findings", {}, "QI-EVIL")]


def _write(tmp_path: Path, name: str, html: str) -> str:
    p = tmp_path / name
    p.write_text(html, encoding="utf-8")
    return p.as_uri()


@pytest.mark.parametrize(("view", "kw", "probe"), VIEWS,
                         ids=[f"{v}-{p}" for v, _, p in VIEWS])
def test_view_renders_counts_and_tooltips(org: Org, open_page, tmp_path: Path, view: str,
                                          kw: dict, probe: str) -> None:
    html = render_map(org.graph, view, report=org.report, spc=org.spc, **kw)
    page, watch = open_page(_write(tmp_path, f"{view}.html", html))
    wait_ready(page)
    expected = len(build_view(org.graph, view, **kw).nodes)
    counts = page.evaluate("""() => ({
        dataset: window.qmsgraphMap.nodes.length,
        drawn: window.qmsgraphMap.network.body.nodeIndices.length,
        attr: Number(document.getElementById('map').dataset.nodeCount),
        edges: window.qmsgraphMap.edges.length})""")
    assert counts["dataset"] == counts["drawn"] == counts["attr"] == expected
    assert counts["edges"] > 0
    shot(page, f"map-{view}-{probe}")
    # hover: vis-network's tooltip with the node's key facts
    label = org.graph.node(probe).label
    tip = hover_tooltip(page, probe)
    assert label in tip and f"Id\n{probe}" in tip.replace("\t", "\n")
    # click: the details panel keeps them
    x, y = node_screen_pos(page, probe)
    page.mouse.click(x, y)
    details = page.locator("#details-body")
    details.get_by_text(label, exact=True).first.wait_for()
    assert probe in details.inner_text()
    shot(page, f"map-{view}-{probe}-selected")
    watch.assert_clean()


def test_hostile_names_stay_inert(org: Org, open_page, tmp_path: Path) -> None:
    html = render_map(org.graph, "findings", report=org.report, spc=org.spc)
    page, watch = open_page(_write(tmp_path, "findings.html", html))
    wait_ready(page)
    tip = hover_tooltip(page, "QI-EVIL")
    assert HOSTILE in tip  # shown as text
    assert "<b>bold</b> & <script>alert(3)</script>" in tip
    shot(page, "map-hostile-tooltip")
    x, y = node_screen_pos(page, "QI-EVIL")
    page.mouse.click(x, y)
    page.locator("#details-body").get_by_text(HOSTILE, exact=True).wait_for()
    tip2 = hover_tooltip(page, "M-WAIT")
    assert SCRIPT_BREAKER in tip2
    # the findings list and the search show the names as text too
    assert HOSTILE in page.locator(".findings-list").inner_text()
    page.fill("#search", "onerror")
    page.locator("#search-results button").first.wait_for()
    assert HOSTILE in page.locator("#search-results").inner_text()
    page.wait_for_timeout(300)
    state = page.evaluate("""() => ({
        imgs: document.querySelectorAll('img').length,
        bold: document.querySelectorAll('#details-body b, .vis-tooltip b').length,
        pwned: window.__pwned === undefined ? null : window.__pwned,
        scripts: document.scripts.length})""")
    assert state == {"imgs": 0, "bold": 0, "pwned": None, "scripts": 3}
    assert watch.dialogs == []
    watch.assert_clean()


def test_focus_parameter_selects_the_node(org: Org, open_page, tmp_path: Path) -> None:
    html = render_map(org.graph, "system", report=org.report, spc=org.spc)
    url = _write(tmp_path, "map.html", html) + "?focus=M-WAIT"
    page, watch = open_page(url)
    wait_ready(page)
    assert page.evaluate("window.qmsgraphMap.network.getSelectedNodes()") == ["M-WAIT"]
    assert "concern (high)" in page.locator("#details-body").inner_text()
    # highlight the golden thread: everything else is dimmed
    page.get_by_role("button", name="Highlight golden thread").click()
    dimmed = page.evaluate("""() => window.qmsgraphMap.nodes.get()
        .filter(n => n.color.background === '#eef1f2').map(n => n.id)""")
    assert "need-frailty" in dimmed and "O1" not in dimmed and "G1" not in dimmed
    shot(page, "map-focus-highlight")
    watch.assert_clean()


def test_keyboard_search_reaches_a_node(org: Org, open_page, tmp_path: Path) -> None:
    html = render_map(org.graph, "system", report=org.report, spc=org.spc)
    page, watch = open_page(_write(tmp_path, "map.html", html))
    wait_ready(page)
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("#search")
    page.keyboard.type("falls coll")
    page.keyboard.press("Enter")
    page.locator("#details-body").get_by_text("Falls collaborative", exact=True).wait_for()
    assert page.evaluate("window.qmsgraphMap.network.getSelectedNodes()") == ["QI-1"]
    watch.assert_clean()


def test_board_links_open_the_map_at_the_node(org: Org, open_page, tmp_path: Path) -> None:
    board, _ = write_pages(org.graph, org.report, org.spc, tmp_path / "out", "Minitown Board")
    page, watch = open_page(board.as_uri(), height=1100)
    page.get_by_role("heading", name="Minitown Board").wait_for()
    assert page.locator("svg[role=img]").count() >= 3
    shot(page, "board", full_page=True)
    link = page.locator("table.findings a", has_text="Falls collaborative").first
    if not link.count():
        link = page.locator("table.findings a").first
    target = link.get_attribute("href")
    assert target.startswith("map.html?focus=")
    node = target.split("=", 1)[1]
    link.click()
    wait_ready(page)
    assert page.evaluate("window.qmsgraphMap.network.getSelectedNodes()") == [node]
    assert org.graph.node(node).label in page.locator("#details-body").inner_text()
    shot(page, "board-to-map")
    watch.assert_clean()


# ------------------------------------------------------------------------ 5,000 nodes

@pytest.fixture(scope="module")
def big_page(tmp_path_factory):
    from qmsgraph.alignment import audit

    g = synthetic_org(5000)
    report = audit(g)
    data = map_data(g, "system", report=report)
    html = render_map(g, "system", report=report)
    path = tmp_path_factory.mktemp("big") / "big.html"
    path.write_text(html, encoding="utf-8")
    return g, data, path


def test_large_map_opens_pans_and_zooms(big_page, open_page) -> None:
    g, data, path = big_page
    page, watch = open_page(path.as_uri())
    wait_ready(page, timeout=120_000)
    counts = page.evaluate("""() => ({
        dataset: window.qmsgraphMap.nodes.length,
        drawn: window.qmsgraphMap.network.body.nodeIndices.length,
        attr: Number(document.getElementById('map').dataset.nodeCount),
        first: window.qmsgraphMap.firstDrawMs})""")
    assert counts["attr"] == data.node_count == 5000
    assert counts["dataset"] == counts["drawn"] == data.drawn_count
    shot(page, "map-5000-clustered")
    # level of detail: zoomed out, no arrowheads (sub-pixel, and most of a frame's cost);
    # zoomed in, the arrows are back
    assert page.evaluate("window.qmsgraphMap.network.getScale()") < 0.45
    assert page.evaluate("window.qmsgraphMap.arrows()") is False
    page.evaluate("window.qmsgraphMap.select(window.qmsgraphMap.nodes.getIds()[0])")
    assert page.evaluate("window.qmsgraphMap.arrows()") is True
    page.click("#fit")
    assert page.evaluate("window.qmsgraphMap.arrows()") is False
    # pan and zoom with the mouse; each redraw must come back quickly
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 200, cy + 80, steps=10)
    page.mouse.up()
    page.mouse.wheel(0, -600)
    frame_ms = page.evaluate("""() => new Promise(resolve => {
        const net = window.qmsgraphMap.network;
        const t = performance.now();
        net.once('afterDrawing', () => resolve(performance.now() - t));
        net.moveTo({scale: net.getScale() * 1.5, animation: false});
        net.redraw();
    })""")
    assert frame_ms < 5000
    # double-click a cluster opens it
    first = data.clusters[0]
    x, y = page.evaluate("""(id) => {
        const net = window.qmsgraphMap.network;
        net.focus(id, {scale: 1.0, animation: false});
        const d = net.canvasToDOM(net.getPositions([id])[id]);
        const r = document.querySelector('#map canvas').getBoundingClientRect();
        return [r.left + d.x, r.top + d.y];
    }""", first["id"])
    page.mouse.dblclick(x, y)
    wait_until(page, f"window.qmsgraphMap.nodes.length === "
                     f"{data.drawn_count - 1 + len(first['members'])}")
    shot(page, "map-5000-cluster-opened")
    # expand everything: all 5,000 nodes drawn at their full-layout positions
    page.get_by_role("button", name="Expand all").click()
    wait_until(page, "window.qmsgraphMap.network.body.nodeIndices.length === 5000")
    frame_ms = page.evaluate("""() => new Promise(resolve => {
        const net = window.qmsgraphMap.network;
        const t = performance.now();
        net.once('afterDrawing', () => resolve(performance.now() - t));
        net.moveTo({position: {x: 100, y: 100}, scale: net.getScale() * 1.2, animation: false});
        net.redraw();
    })""")
    assert frame_ms < 10000
    shot(page, "map-5000-expanded")
    watch.assert_clean()
