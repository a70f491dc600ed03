"""The Board page and the maps show the QI hub's view (issue 20): each project's progress
level under the measures it improves (and a recorded level the evidence does not support),
and the "concern, no work" flag on a measure in special-cause concern or failing its target
that no live project improves. In real Chromium, signed in to the served Northvale page."""

from __future__ import annotations

from typing import Any

import pytest

from qmsgraph.alignment.progress import assess
from qmsgraph.visualisations import render_board

from ..alignment.test_progress import ladder
from .conftest import shot, wait_ready
from .test_board_served import AXE, run_axe, served, sign_in  # noqa: F401 - the served fixture


def _row(page: Any, measure: str) -> Any:
    return page.locator(f"tr.measure-row[data-measure='{measure}']").first


@pytest.mark.browser
def test_progress_and_concern_no_work_on_the_board(served, open_page) -> None:  # noqa: F811
    base = served["url"]
    page, watch = open_page(base + "/login", height=1100)
    sign_in(page, base, served["viewer"])
    # progress under each measure, from the evidence
    falls = _row(page, "M-FALLS")
    level = falls.locator("li[data-project='QI-007'] .progress-level")
    assert level.inner_text().startswith("progress 4.5")
    assert "Next: 5.0 (Outstanding sustainable results)" in level.get_attribute("title")
    falls.scroll_into_view_if_needed()
    shot(page, "board-progress-falls")
    sepsis = _row(page, "M-SEPSIS-ABX")
    p02 = sepsis.locator("li[data-project='QI-P02']")
    assert p02.locator(".progress-level").inner_text().startswith("progress 2.5")
    assert p02.locator(".progress-unsupported").inner_text() == "recorded 4.0, not evidenced"
    # concern, no work: fires on measures failing with no live project, quiet otherwise
    flagged = page.locator("[data-no-work]").evaluate_all(
        "xs => xs.map(x => x.dataset.noWork)")
    assert sorted(set(flagged)) == ["M-APPRAISAL", "M-MANDTRAIN"]
    assert "finished project(s) only" in page.locator(
        "[data-no-work='M-MANDTRAIN']").first.inner_text()
    assert sepsis.locator("[data-no-work]").count() == 0     # failing, but QI-P02 is live
    assert _row(page, "M-ED4H").locator("[data-no-work]").count() == 0  # concern, QI-015
    tile = page.locator("li.tile", has_text="concern, no work")
    assert tile.locator(".tile-value").inner_text() == "2"
    _row(page, "M-APPRAISAL").scroll_into_view_if_needed()
    shot(page, "board-concern-no-work")
    shot(page, "board-progress", full_page=True)
    watch.assert_clean()


@pytest.mark.browser
def test_progress_in_the_maps_information_panel(served, open_page) -> None:  # noqa: F811
    base = served["url"]
    page, watch = open_page(base + "/login")
    sign_in(page, base, served["viewer"], "/map?view=thread&focus=QI-P02")
    wait_ready(page)
    page.evaluate("(id) => window.qmsgraphMap.select(id)", "QI-P02")
    text = page.locator("#details-body").inner_text()
    assert "2.5 Changes tested, but no improvement" in text
    assert "4.0: not supported by the evidence" in text
    shot(page, "map-progress-panel")
    watch.assert_clean()


@pytest.mark.browser
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (scripts/test.sh)")
def test_the_new_board_parts_pass_axe(served, open_page) -> None:  # noqa: F811
    base = served["url"]
    page, _ = open_page(base + "/login")
    sign_in(page, base, served["viewer"])
    assert page.locator(".progress-level").count() > 20
    assert run_axe(page) == []


def test_render_board_flags_only_measures_without_live_work() -> None:
    """Without a browser: the flag follows the project's status."""
    from qmsgraph.alignment import audit

    for status, flagged in (("active", False), ("completed", True), ("stopped", True)):
        g = ladder(2)
        g.graph.node("Q")  # the project exists
        q = g.graph.node("Q").model_copy(update={"status": status})
        g.graph.add_node(q, replace=True)
        # a measure failing its target: a target far below every point, lower is better
        m = g.graph.node("M-OUT").model_copy(update={"target": 1.0})
        g.graph.add_node(m, replace=True)
        g.node("GX", "StrategicGoal").edge("M-OUT", "indicates", "GX")
        from qmsgraph.spc.graph import all_summaries

        spc = all_summaries(g.graph)
        assert spc["M-OUT"]["assurance_icon"] == "fail"
        html = render_board(g.graph, audit(g.graph), spc, progress=assess(g.graph))
        assert ('data-no-work="M-OUT"' in html) is flagged, status
        assert "progress 1.5" in html
