"""Shared fixtures: small graphs and stores each test makes for itself, and the one headless
Chromium of the session (Playwright's sync API allows one running instance per thread, so
every browser test, whatever its folder, shares this one)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qmsgraph.stores import SQLiteStore

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("QMSGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def mini_yaml() -> Path:
    return DATA / "mini.yaml"


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "test.qmsdb")
    yield s
    s.close()
