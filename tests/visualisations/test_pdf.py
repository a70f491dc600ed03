"""``qmsgraph board --pdf``: the Board page printed by headless Chromium, A4 landscape, every
measure row whole on one page, and read back with pypdf."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

from qmsgraph import cli
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from .conftest import CHROMIUM

pypdf = pytest.importorskip("pypdf")
FILES = cli.example_files()
runner = CliRunner()
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no {CHROMIUM}"),
              pytest.mark.skipif(not all(f.exists() for f in FILES), reason="no example")]


def _text(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def test_board_pdf_a4_landscape_whole_rows(tmp_path: Path, monkeypatch) -> None:
    store = tmp_path / "northvale.qmsdb"
    with SQLiteStore(store) as s:
        load_files(s, FILES)
    monkeypatch.setenv("QMSGRAPH_CHROMIUM", CHROMIUM)
    out, pdf = tmp_path / "board.html", tmp_path / "print" / "board.pdf"
    r = runner.invoke(cli.app, ["board", "-s", str(store), "-o", str(out), "--pdf", str(pdf),
                                "--no-record"])
    assert r.exit_code == 0, r.output
    assert str(pdf) in r.stdout
    reader = pypdf.PdfReader(str(pdf))
    pages = [_text(p.extract_text()) for p in reader.pages]
    # A4 landscape (842 x 595 pt) on every page; a sane number of pages for 51 measures
    for p in reader.pages:
        box = p.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert 3 <= len(pages) <= 30, len(pages)
    text = " ".join(pages)
    assert "Board summary: Northvale Health Board" in pages[0]
    assert "Integrated performance report" in text
    # every measure row whole on one page: its id and its latest value on the same page
    doc = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    rows = doc.xpath("//tr[contains(@class, 'measure-row')]")
    assert len(rows) >= 45
    checked: list[str] = []
    for row in rows:
        mid = row.get("data-measure")
        latest = _text(row.xpath(".//td[contains(@class, 'c-num')]")[0].text_content()).strip()
        value = latest.split(" ")[0]
        on = [i for i, t in enumerate(pages) if re.search(rf"\b{re.escape(mid)}\b", t)]
        assert on, f"{mid} is not in the PDF"
        assert any(value in pages[i] for i in on), f"{mid}'s row is cut: {value} not on {on}"
        # and the bottom of the row - its last project - on that page too
        last = row.xpath(".//li[@data-project][last()]/a")
        if last:
            words = " ".join(_text(last[-1].text_content()).split()[:2])
            assert any(words in pages[i] for i in on), f"{mid}'s row is cut before {words!r}"
            checked.append(mid)
    assert len(checked) >= 20  # rows with projects under them
    assert "Cancer" in text and "M-CANCER62" in text


def test_pdf_without_a_browser_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    store = tmp_path / "n.qmsdb"
    with SQLiteStore(store) as s:
        load_files(s, FILES)
    r = runner.invoke(cli.app, ["board", "-s", str(store), "-o", str(tmp_path / "b.html"),
                                "--pdf", str(tmp_path / "b.pdf"), "--chromium",
                                str(tmp_path / "no-such-browser"), "--no-record"])
    assert r.exit_code == 1
    assert "no Chromium at" in r.output and not (tmp_path / "b.pdf").exists()
