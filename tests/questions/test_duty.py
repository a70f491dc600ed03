"""`qmsgraph report duty-of-quality`: content for a period, Markdown, the CLI, and the HTML page
in real headless Chromium (nothing loaded from anywhere, axe-core, print stylesheet, hostile
names inert), with screenshots under artefacts/questions/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app
from qmsgraph.questions.duty import duty_markdown, duty_report, parse_period
from qmsgraph.stores import SQLiteStore
from qmsgraph.visualisations.duty import render_duty

from ..visualisations.conftest import ARTEFACTS, HOSTILE, SCRIPT_BREAKER
from ..visualisations.test_board_served import AXE, run_axe, served, sign_in  # noqa: F401
from .conftest import apply

FY24 = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
SHOTS = ARTEFACTS.parent / "questions"
runner = CliRunner()


def test_period_parsing() -> None:
    assert parse_period("2025-04-01:2026-03-31") == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    for bad in ("2025-04-01", "2025-13-01:2026-03-31", "2026-04-01:2025-03-31"):
        with pytest.raises(Exception, match="period"):
            parse_period(bad)


def test_report_content_per_domain_and_enabler(eastbrook: SQLiteStore,
                                               northvale: SQLiteStore) -> None:
    r = duty_report(eastbrook, FY24)
    assert [d["key"] for d in r["domains"]] == ["safe", "timely", "effective", "efficient",
                                               "equitable", "person-centred"]
    assert len(r["enablers"]) == 6 and all(e["enablers"] for e in r["enablers"])
    dom = {d["key"]: d for d in r["domains"]}
    assert dom["efficient"]["gaps"][:2] == ["no active goal or objective names this domain",
                                            "no measure"]
    assert "no measure" in dom["equitable"]["gaps"]  # as the domain-without-measure finding
    done = {p["id"] for d in r["domains"] for p in d["improvement"]}
    assert done == {"QI-PHC", "QI-RESTRAINT", "EB-QI-P01"}  # completed in FY 2024/25
    # only the sensory de-escalation project shows a special-cause shift on its measure
    assert {p["id"] for d in r["domains"] for p in d["improvement"] if p["shifted"]} == \
        {"EB-QI-P01"}
    qa = dict(next(a for a in r["aspects"] if a["key"] == "assurance")["items"])
    assert qa["recurring activities with no date recorded"] == 4
    assert r["questions"] and len(r["questions"]) == 16
    cadence = {a["key"]: dict(a["cadence"]) for a in r["aspects"]}
    view = eastbrook.view()
    assert cadence["planning"] == {"yearly": sum(  # driver processes and planning tools
        1 for k in ("Process", "PlanningTool") for n in view.nodes(k)
        if getattr(n, "process_type", "driver") == "driver")}
    assert cadence["control"]["daily"] >= 1 and cadence["assurance"]["quarterly"] == 4
    # another year: nothing completed, and the gap says so
    r25 = duty_report(eastbrook, (dt.date(2025, 4, 1), dt.date(2026, 3, 31)))
    assert not any(d["improvement"] for d in r25["domains"])
    assert all(any("no improvement completed" in g for g in d["gaps"])
               for d in r25["domains"] if d["measures"])
    nv = duty_report(northvale)  # default: the April-March year of the latest data
    assert nv["period"] == {"start": "2025-04-01", "end": "2026-03-31"}
    safe = next(d for d in nv["domains"] if d["key"] == "safe")
    assert safe["assurance"] and all("2025-04-01" <= a["date"] <= "2026-03-31"
                                     for a in safe["assurance"])


def test_improvement_shift_in_the_report(small: SQLiteStore) -> None:
    apply(small, [{"kind": "ImprovementProject", "id": "QI-1", "label": "Falls QI",
                   "status": "completed", "start_date": "2023-11-01",
                   "end_date": "2024-06-30"}], [("QI-1", "improves", "M1")])
    safe = duty_report(small, FY24)["domains"][0]
    (p,) = safe["improvement"]
    assert p["shifted"] and p["shifts"][0]["state"] == "shifted"
    assert not any("completed without shifting" in g for g in safe["gaps"])
    assert duty_report(small, (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
                       )["domains"][0]["improvement"] == []


def test_markdown(eastbrook: SQLiteStore) -> None:
    md = duty_markdown(duty_report(eastbrook, FY24))
    assert md.startswith("# Duty of Quality report: Eastbrook NHS Foundation Trust")
    for heading in ("## Quality domains", "### Equitable", "## Enablers", "### Workforce",
                    "## The four aspects of the QMS", "## Where to start: the questions"):
        assert heading in md
    assert "QI-RESTRAINT" in md


def test_cli_writes_html_md_and_refuses_a_bad_period(eastbrook: SQLiteStore,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    r = runner.invoke(app, ["report", "duty-of-quality", "--store", str(eastbrook.path),
                            "--period", "2024-04-01:2025-03-31", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and (out.parent / "map.html").exists()
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org/2000/svg", "")  # self-contained
    r = runner.invoke(app, ["report", "duty-of-quality", "--store", str(eastbrook.path),
                            "--format", "md"])
    assert r.exit_code == 0 and r.stdout.startswith("# Duty of Quality report")
    bad = tmp_path / "bad.html"
    r = runner.invoke(app, ["report", "duty-of-quality", "--store", str(eastbrook.path),
                            "--period", "2025-04-01", "-o", str(bad)])
    assert r.exit_code == 1 and "period '2025-04-01'" in r.output and not bad.exists()
    r = runner.invoke(app, ["report", "duty-of-quality", "--store", str(eastbrook.path),
                            "--format", "json"])
    assert json.loads(r.stdout)["organisation"] == "Eastbrook NHS Foundation Trust"


def _write(folder: Path, store: SQLiteStore, period: tuple[dt.date, dt.date] | None) -> str:
    path = folder / "report.html"
    path.write_text(render_duty(store.view(), duty_report(store, period)), encoding="utf-8")
    return path.as_uri()


@pytest.mark.browser
@pytest.mark.parametrize("org", ["northvale", "eastbrook"])
def test_report_in_chromium(org: str, request: pytest.FixtureRequest, open_page,
                            tmp_path: Path) -> None:
    store = request.getfixturevalue(org)
    page, watch = open_page(_write(tmp_path, store, FY24), width=1280, height=900)
    counts = page.evaluate("""() => ({
        domains: document.querySelectorAll('article[aria-labelledby^="domain-"]').length,
        enablers: document.querySelectorAll('article[aria-labelledby^="enabler-"]').length,
        questions: document.querySelectorAll('article[aria-labelledby^="q-"]').length,
        icons: document.querySelectorAll('svg.mdc-icon[role="img"]').length,
        links: [...document.querySelectorAll('main a[href^="map.html?focus="]')].length})""")
    assert counts["domains"] == 6 and counts["enablers"] == 6 and counts["questions"] == 16
    assert counts["icons"] > 0 and counts["links"] > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"duty-{org}.png"))
    page.locator("#domains-h").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"duty-{org}-domains.png"))
    if AXE.exists():
        assert run_axe(page) == []
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.contents')).display") \
        == "none"
    page.screenshot(path=str(SHOTS / f"duty-{org}-print.png"))
    watch.assert_clean()


@pytest.mark.browser
def test_hostile_names_are_text(small: SQLiteStore, open_page, tmp_path: Path) -> None:
    apply(small, [{"kind": "Measure", "id": "M-EVIL", "label": SCRIPT_BREAKER,
                   "measure_type": "process", "quality_domains": ["safe"]},
                  {"kind": "StrategicGoal", "id": "G-EVIL", "label": HOSTILE,
                   "status": "active", "quality_domains": ["safe"]}],
          [("M-EVIL", "indicates", "G-EVIL")])
    page, watch = open_page(_write(tmp_path, small, FY24))
    text = page.inner_text("#domain-safe-measures + table")
    assert SCRIPT_BREAKER in text
    assert HOSTILE in page.inner_text("main")
    assert page.evaluate("window.__pwned") is None
    watch.assert_clean()
    assert watch.dialogs == []


def test_markdown_shows_hostile_labels_as_text(small: SQLiteStore) -> None:
    apply(small, [{"kind": "StrategicGoal", "id": "G-EVIL", "label": HOSTILE + " | x",
                   "status": "active", "quality_domains": ["safe"]}], [])
    md = duty_markdown(duty_report(small, FY24))
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt; \\| x" in md


@pytest.mark.browser
def test_served_report_links_to_the_served_map(served, open_page) -> None:  # noqa: F811
    """Signed in as a Board member, GET /reports/duty-of-quality in Chromium: accessible, and
    a goal's link opens the served map on that goal."""
    base = served["url"]
    page, watch = open_page(base + "/login")
    sign_in(page, base, served["viewer"], "/board")
    page.goto(base + "/reports/duty-of-quality?period=2025-04-01:2026-03-31")
    page.locator("#domain-safe").wait_for()
    if AXE.exists():
        assert run_axe(page) == []
    page.screenshot(path=str(SHOTS / "duty-served.png"))
    page.locator("#domain-safe-goals + ul a").first.click()
    page.wait_for_url("**/map?view=goal&focus=*")
    watch.assert_clean()
