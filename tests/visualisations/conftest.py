"""Fixtures for the map tests: a small organisation with a hostile name in it, and a real
headless Chromium (Playwright) that may load nothing from any other host."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

from qmsgraph.alignment import AlignmentConfig, AuditReport
from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import load_files
from qmsgraph.model import make_edge, make_node
from qmsgraph.spc.graph import all_summaries
from qmsgraph.stores import ChangeSet, SQLiteStore

from ..conftest import CHROMIUM, CHROMIUM_ARGS, DATA, REPO  # noqa: F401 (re-exported)

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT_BREAKER = "</script><script>window.__pwned=1;alert(2)</script>"
ARTEFACTS = REPO / "artefacts" / "visualisations"


def _monthly(values: list[float], start: dt.date = dt.date(2023, 1, 1)) -> list[dict]:
    out = []
    y, m = start.year, start.month
    for v in values:
        out.append({"date": dt.date(y, m, 1).isoformat(), "value": v})
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


@dataclass
class Org:
    store: SQLiteStore
    graph: QMSGraph
    report: AuditReport
    spc: dict[str, dict[str, Any]]


def extra_changes() -> ChangeSet:
    """mini.yaml plus: a hostile project (orphaned), a script-breaking measure name with a
    run of concern, a second team and a deprioritised goal."""
    cs = ChangeSet(source="test")
    values = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 11, 15, 16, 15, 16, 15, 16, 16, 15]
    nodes = [
        {"kind": "ImprovementProject", "id": "QI-EVIL", "label": HOSTILE, "status": "active",
         "aim": "<b>bold</b> & <script>alert(3)</script>"},
        {"kind": "Measure", "id": "M-WAIT", "label": SCRIPT_BREAKER, "measure_type": "process",
         "direction": "decrease", "target": 12.0, "unit_of_measure": "days",
         "data": _monthly(values)},
        {"kind": "Team", "id": "ward-9", "label": "Ward 9"},
        {"kind": "StrategicGoal", "id": "G-DEP", "label": "Paused priority",
         "status": "deprioritised"},
        {"kind": "ImprovementProject", "id": "QI-DEP", "label": "Work on a paused priority",
         "status": "active"},
        {"kind": "Measure", "id": "M-DEP", "label": "Paused measure", "measure_type": "outcome"},
    ]
    for n in nodes:
        cs.node(make_node(n))
    for s, k, t in [("ward-9", "unitOf", "med"), ("ward-9", "leads", "QI-EVIL"),
                    ("M-WAIT", "indicates", "O1"), ("ward-9", "owns", "M-WAIT"),
                    ("ward-9", "monitors", "M-WAIT"), ("G-DEP", "serves", "purpose"),
                    ("M-DEP", "indicates", "G-DEP"), ("QI-DEP", "improves", "M-DEP"),
                    ("ward-9", "leads", "QI-DEP"), ("ward-9", "owns", "M-DEP")]:
        cs.edge(make_edge(k, s, t))
    return cs


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    store = SQLiteStore(tmp_path / "org.qmsdb")
    load_files(store, [DATA / "mini.yaml"])
    store.apply(extra_changes())
    graph = store.graph()
    spc = all_summaries(graph, store)
    report = store.audit(AlignmentConfig())
    yield Org(store, graph, report, spc)
    store.close()


# ------------------------------------------------------------------------ the browser

def _allowed(url: str) -> bool:
    p = urlparse(url)
    if p.scheme in ("file", "data", "blob", "about"):
        return True
    return p.scheme in ("http", "https", "ws") and p.hostname in ("127.0.0.1", "localhost")


@dataclass
class Watch:
    """What a page tried to do that it should not."""

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"requests to other hosts: {self.blocked}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.errors == [], f"page errors: {self.errors}"


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., tuple[Any, Watch]]]:
    """``open_page(url)`` -> (page, watch): every request that is not file:// or to
    127.0.0.1/localhost is aborted and recorded; dialogs and page errors are recorded."""
    contexts = []

    def _open(url: str, width: int = 1500, height: int = 950) -> tuple[Any, Watch]:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        watch = Watch()

        def route(r: Any) -> None:
            if _allowed(r.request.url):
                r.continue_()
            else:
                watch.blocked.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()

        def on_dialog(d: Any) -> None:
            watch.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("console", lambda m: watch.console.append(f"{m.type}: {m.text}"))
        page.goto(url)
        return page, watch

    yield _open
    for ctx in contexts:
        ctx.close()


def wait_until(page: Any, predicate: str, timeout: float = 60_000) -> None:
    """Poll a JS predicate with page.evaluate.

    Not page.wait_for_function: its polling runs as page script, which the maps' Content
    Security Policy (no 'unsafe-eval') refuses right after a navigation; evaluate does not.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            if page.evaluate(f"() => !!({predicate})"):
                return
        except PlaywrightError:  # the page is navigating: try again
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {predicate}")
        page.wait_for_timeout(50)


def wait_ready(page: Any, timeout: float = 60_000) -> None:
    wait_until(page, "window.qmsgraphMap && window.qmsgraphMap.ready === true", timeout)


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=full_page)
    return path


def node_screen_pos(page: Any, node_id: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates (canvasToDOM + the canvas offset)."""
    pos = page.evaluate(
        """(id) => {
            const net = window.qmsgraphMap.network;
            const p = net.getPositions([id])[id];
            const d = net.canvasToDOM(p);
            const r = document.querySelector('#map canvas').getBoundingClientRect();
            return [r.left + d.x, r.top + d.y];
        }""", node_id)
    return pos[0], pos[1]


def hover_tooltip(page: Any, node_id: str) -> str:
    """Move the mouse onto a node and return the text of vis-network's tooltip."""
    page.evaluate("(id) => window.qmsgraphMap.network.focus(id, {scale: 1.2, animation: false})",
                  node_id)
    page.wait_for_timeout(100)
    x, y = node_screen_pos(page, node_id)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=5)
    page.mouse.move(x + 1, y)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    return tip.inner_text()
