"""qmsgraph map and qmsgraph board."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qmsgraph import cli

from .conftest import Org

runner = CliRunner()


def test_map_command_writes_the_file(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "maps" / "thread.html"
    r = runner.invoke(cli.app, ["map", "--view", "thread", "--focus", "QI-1", "--output",
                                str(out), "--store", str(org.store.path)])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert 'data-view="thread"' in html and 'data-focus="QI-1"' in html


def test_map_command_options(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "unit.html"
    r = runner.invoke(cli.app, ["map", "--view", "unit", "--unit", "med", "--depth", "0",
                                "--title", "Medicine", "-o", str(out), "-s",
                                str(org.store.path)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<h1>Medicine</h1>" in html and 'data-node-count="' in html


def test_map_command_errors(org: Org, tmp_path: Path) -> None:
    s = str(org.store.path)
    for args, text, code in ((["--view", "nope"], "'system', 'unit', 'thread'", 2),
                             (["--view", "thread", "--focus", "nobody"],
                              "no node with id 'nobody'", 1),
                             (["--view", "thread"], "needs a focus id", 1),
                             (["--view", "goal", "--focus", "QI-1"], "not a goal", 1)):
        r = runner.invoke(cli.app, ["map", *args, "-o", str(tmp_path / "x.html"), "-s", s])
        assert r.exit_code == code, (args, r.output)
        assert text in r.output
    assert not (tmp_path / "x.html").exists()
    r = runner.invoke(cli.app, ["map", "-s", str(tmp_path / "missing.qmsdb")])
    assert r.exit_code == 1 and "no store" in r.output


def test_board_command_writes_board_and_map(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "pack" / "board.html"
    r = runner.invoke(cli.app, ["board", "--output", str(out), "--store", str(org.store.path)])
    assert r.exit_code == 0, r.output
    assert r.output.split() == [str(out), str(out.parent / "map.html")]
    board = out.read_text(encoding="utf-8")
    assert 'href="map.html?focus=QI-EVIL"' in board
    assert 'data-view="findings"' in (out.parent / "map.html").read_text(encoding="utf-8")


def test_demo_writes_the_pages(tmp_path: Path) -> None:
    from qmsgraph.cli.data import DEMO_OUTPUTS
    from qmsgraph.visualisations.commands import demo_pages

    assert DEMO_OUTPUTS.count(demo_pages) == 1  # registered once, however often imported
