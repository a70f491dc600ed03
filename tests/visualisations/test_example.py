"""The maps and the Board page of the example organisation (Northvale Health Board)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph import cli
from qmsgraph.io.readers import load_files
from qmsgraph.spc.graph import all_summaries
from qmsgraph.stores import SQLiteStore
from qmsgraph.visualisations import build_view, render_board, render_map

from .conftest import shot, wait_ready
from .test_maps import assert_offline

FILES = cli.example_files()
pytestmark = pytest.mark.skipif(not all(f.exists() for f in FILES),
                                reason="the example organisation is not there")


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("example") / "example.qmsdb")
    load_files(store, FILES)
    graph = store.graph()
    yield store, graph, store.audit(), all_summaries(graph, store)
    store.close()


def _orphan(report) -> str:
    return next(f.node for f in report.findings if f.rule == "orphaned-work"
                and f.kind == "ImprovementProject")


def _views(graph, report) -> list[tuple[str, dict]]:
    goal = sorted(g.id for g in graph.nodes("StrategicGoal") if g.status == "active")[0]
    directorate = sorted(d.id for d in graph.nodes("Directorate"))[0]
    return [("system", {}), ("findings", {}), ("unit", {"unit": directorate}),
            ("thread", {"focus": _orphan(report)}), ("goal", {"focus": goal})]


def test_example_pages_are_offline(example) -> None:
    store, graph, report, spc = example
    for view, kw in _views(graph, report):
        assert_offline(render_map(graph, view, report=report, spc=spc, **kw))
    board = render_board(graph, report, spc)
    assert_offline(board)
    assert "Northvale" in board
    # every active goal has its table, and concern icons appear
    assert board.count('class="card goal goal-active"') == sum(
        1 for g in graph.nodes("StrategicGoal") if g.status == "active")
    assert "concern (" in board


@pytest.mark.browser
def test_example_maps_in_the_browser(example, open_page, tmp_path: Path) -> None:
    store, graph, report, spc = example
    for view, kw in _views(graph, report):
        path = tmp_path / f"{view}.html"
        path.write_text(render_map(graph, view, report=report, spc=spc, **kw),
                        encoding="utf-8")
        page, watch = open_page(path.as_uri())
        wait_ready(page)
        n = len(build_view(graph, view, **kw).nodes)
        drawn = page.evaluate("window.qmsgraphMap.network.body.nodeIndices.length")
        assert drawn == page.evaluate("window.qmsgraphMap.nodes.length") == n
        shot(page, f"example-{view}")
        watch.assert_clean()
        page.close()


@pytest.mark.browser
def test_example_board_in_the_browser(example, open_page, tmp_path: Path) -> None:
    store, graph, report, spc = example
    path = tmp_path / "board.html"
    path.write_text(render_board(graph, report, spc), encoding="utf-8")
    page, watch = open_page(path.as_uri(), width=1400, height=1000)
    page.get_by_role("heading", level=1).wait_for()
    shot(page, "example-board", full_page=True)
    watch.assert_clean()


def test_demo_writes_board_and_map(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = CliRunner().invoke(cli.app, ["demo", "--store", str(tmp_path / "demo.qmsdb"),
                                     "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "board.html").exists() and (out / "map.html").exists()
    assert "map.html?focus=" in (out / "board.html").read_text(encoding="utf-8")
