"""Every HTML page the project writes or serves, through the Nu HTML checker (vnu): 0 errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ..live import Server as Live
from .conftest import Tools

BIN = Path(sys.executable).parent / "qmsgraph"
SERVED = {
    "board": "/board",
    "map-system": "/map?view=system",
    "map-unit": "/map?view=unit&unit=DIR-NQ",
    "map-thread": "/map?view=thread&focus=QI-007",
    "map-goal": "/map?view=goal&focus=G1",
    "map-findings": "/map?view=findings",
    "docs": "/docs",
}


@pytest.fixture(scope="module")
def pages(live: Live, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The served pages, and the Board page and map that `qmsgraph board` writes."""
    folder = tmp_path_factory.mktemp("html")
    out = {}
    headers = {"Authorization": f"Bearer {live.keys['viewer']}"}
    for name, path in SERVED.items():
        r = httpx.get(live.url + path, headers=headers, timeout=120)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (
            name, r.status_code, r.text[:300])
        out[f"served-{name}"] = folder / f"served-{name}.html"
        out[f"served-{name}"].write_text(r.text, encoding="utf-8")
    written = folder / "written"
    cmd = subprocess.run([str(BIN), "board", "--store", str(live.store), "-o",
                          str(written / "board.html")], capture_output=True, text=True,
                         timeout=300)
    assert cmd.returncode == 0, cmd.stderr[-2000:]
    out["written-board"], out["written-map"] = written / "board.html", written / "map.html"
    return out


def test_every_page_passes_the_nu_html_checker(tools: Tools, pages: dict[str, Path]):
    out = subprocess.run(["java", "-Xss4m", "-jar", str(tools.vnu), "--format", "json",
                          "--errors-only", *map(str, pages.values())],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(out.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}: {m.get('message')} "
              f"{m.get('extract', '')[:80]!r}" for m in messages if m.get("type") == "error"
              or m.get("subType") == "fatal"]
    assert errors == [], f"{len(errors)} error(s): " + "\n".join(errors[:10])
    assert out.returncode == 0


def test_board_rule_anchors_are_unique_and_reached(pages: dict[str, Path]):
    """Each 'Findings by rule' link must reach a row: one id per rule."""
    import re

    for name in ("served-board", "written-board"):
        html = pages[name].read_text(encoding="utf-8")
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), name
        links = set(re.findall(r'href="#(rule-[^"]+)"', html))
        assert links and links <= set(ids), name
