"""What changed since the last Board: the example organisation is changed between two dates
(days set with ``QMSGRAPH_TODAY``, no sleeping) and ``qmsgraph audit --since`` and the Board
page (written by ``qmsgraph board --since`` and served at ``/board?since=``) list exactly the
changes made - and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from typer.testing import CliRunner

from qmsgraph import cli
from qmsgraph.io.readers import load_files
from qmsgraph.model import make_edge, make_node
from qmsgraph.stores import ChangeSet, SQLiteStore

from .conftest import ARTEFACTS
from .test_board_served import AXE, run_axe

FILES = cli.example_files()
pytestmark = pytest.mark.skipif(not all(f.exists() for f in FILES),
                                reason="the example organisation is not there")
runner = CliRunner()

# What the changes below make, and all they make (the two cascades - G1 newly at risk and
# its at-risk-goal finding - follow from the C. difficile spike).
EXPECTED = {
    "findings_new": ["at-risk-goal G1"],
    "findings_resolved": ["measure-without-owner M-VTE", "orphaned-work QI-063"],
    "goals_at_risk": ["G1"],
    "goals_recovered": [],
    "measures_changed": ["M-CDIFF"],
    "projects_started": ["QI-070"],
    "projects_stopped": ["QI-021"],
    "projects_realigned": ["QI-063"],
}


def changes_made(store: SQLiteStore) -> ChangeSet:
    """Stop a project, start one, re-align an orphaned one, give a measure an owner and a
    month of C. difficile cases six times the usual."""
    v = store.view()
    cs = ChangeSet(source="test")
    stopped = v.node("QI-021").model_copy(update={"status": "stopped"})
    cs.update_nodes.append((stopped, None, None))
    cs.node(make_node({"kind": "ImprovementProject", "id": "QI-070", "status": "active",
                       "label": "C. difficile ward rounds"}))
    cs.edge(make_edge("improves", "QI-070", "M-CDIFF"))
    cs.edge(make_edge("leads", "T-PHARM", "QI-070"))  # QI-012's unit: no duplicated effort
    cs.edge(make_edge("improves", "QI-063", "M-THEATRE-UTIL"))
    cs.edge(make_edge("owns", "T-W7", "M-VTE"))
    cs.update_nodes.append((spiked(v.node("M-CDIFF"), 6.0), None, None))
    return cs


def spiked(measure: Any, factor: float) -> Any:
    data = list(measure.data)
    data[-1] = data[-1].model_copy(update={"value": data[-1].value * factor})
    return measure.model_copy(update={"data": data})


def keys(ch: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for k in EXPECTED:
        out[k] = [f"{i['rule']} {i['node']}" if k.startswith("findings") else i["node"]
                  for i in ch[k]]
    return out


def board_changes(html: str) -> dict[str, list[str]]:
    doc = lxml.html.fromstring(html)
    out: dict[str, list[str]] = {k: [] for k in EXPECTED}
    for group in doc.xpath('//*[@id="changes"]//*[@data-change]'):
        key = group.get("data-change")
        for li in group.xpath(".//li[@data-node]"):
            text = li.text_content()
            node = li.get("data-node")
            if key.startswith("findings"):
                rule = text.split(":", 1)[0].split()[-1]  # "... warning at-risk-goal: ..."
                out[key].append(f"{rule} {node}")
            else:
                out[key].append(node)
    return out


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "northvale.qmsdb"
    with SQLiteStore(path) as s:
        load_files(s, FILES)
    monkeypatch.setenv("QMSGRAPH_TODAY", "2025-07-31")
    r = runner.invoke(cli.app, ["audit", "-s", str(path), "-f", "json"])
    assert r.exit_code == 0, r.output
    return path


def test_audit_since_and_the_board_list_exactly_the_changes_made(
        store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(store_path)
    with SQLiteStore(store_path) as s:
        s.apply(changes_made(s))
    monkeypatch.setenv("QMSGRAPH_TODAY", "2025-09-01")
    r = runner.invoke(cli.app, ["audit", "-s", path, "--since", "2025-08-01", "-f", "json"])
    assert r.exit_code == 0, r.output
    ch = json.loads(r.stdout)
    assert ch["since"] == "2025-08-01" and ch["baseline"] == "2025-07-31"
    assert keys(ch) == EXPECTED
    # the evidence travels with each change
    spike = ch["measures_changed"][0]
    assert spike["variation"] == ["common_cause", "concern_high"]
    assert ch["goals_at_risk"][0]["measures"] == ["M-CDIFF"]
    assert ch["projects_realigned"][0]["verdict"] == ["orphaned", "aligned"]
    assert ch["projects_realigned"][0]["links"] == [[], ["improves M-THEATRE-UTIL"]]
    assert ch["projects_stopped"][0]["status"] == ["active", "stopped"]

    # the text report says the same
    r = runner.invoke(cli.app, ["audit", "-s", path, "--since", "2025-08-01"])
    assert r.exit_code == 0 and "Changes since 2025-08-01" in r.stdout
    assert "Goals newly at risk (1)" in r.stdout and "QI-070" in r.stdout

    # the Board page lists exactly the same, each linked to its map
    out = tmp_path / "pages" / "board.html"
    r = runner.invoke(cli.app, ["board", "-s", path, "--since", "2025-08-01", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert board_changes(html) == EXPECTED
    doc = lxml.html.fromstring(html)
    for li in doc.xpath('//*[@id="changes"]//li[@data-node]'):
        assert li.xpath(".//a")[0].get("href") == f"map.html?focus={li.get('data-node')}"

    # a month later the spike has passed: G1 recovers, its finding is resolved
    with SQLiteStore(store_path) as s:
        m = s.view().node("M-CDIFF")
        cs = ChangeSet(source="test")
        cs.update_nodes.append((spiked(m, 1 / 6.0), None, None))
        s.apply(cs)
    monkeypatch.setenv("QMSGRAPH_TODAY", "2025-10-01")
    r = runner.invoke(cli.app, ["audit", "-s", path, "--since", "2025-09-15", "-f", "json"])
    ch = json.loads(r.stdout)
    assert ch["baseline"] == "2025-09-01"  # the board run of that day is the baseline
    assert keys(ch) == {**{k: [] for k in EXPECTED},
                        "findings_resolved": ["at-risk-goal G1"], "goals_recovered": ["G1"],
                        "measures_changed": ["M-CDIFF"]}
    # and since before the first change, only what is still different
    r = runner.invoke(cli.app, ["audit", "-s", path, "--since", "2025-07-31", "-f", "json",
                                "--no-record"])
    ch = json.loads(r.stdout)
    assert keys(ch) == {**EXPECTED, "findings_new": [], "goals_at_risk": [],
                        "measures_changed": []}


def test_since_before_any_record_and_a_bad_date_are_clear_errors(store_path: Path) -> None:
    r = runner.invoke(cli.app, ["audit", "-s", str(store_path), "--since", "2025-07-01"])
    assert r.exit_code == 1
    assert "no audit was recorded on or before 2025-07-01" in r.output
    assert "the earliest is 2025-07-31" in r.output
    r = runner.invoke(cli.app, ["audit", "-s", str(store_path), "--since", "last month"])
    assert r.exit_code == 1 and "is not a date" in r.output


def test_served_board_shows_changes_since(store_path: Path, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from qmsgraph.api.app import create_app
    from qmsgraph.api.keys import KeyStore
    from qmsgraph.api.settings import Settings

    with SQLiteStore(store_path) as s:
        s.apply(changes_made(s))
        keystore = KeyStore(store_path.parent / "keys.db")
        _, viewer = keystore.create("Board member", "viewer")
        app = create_app(s, Settings(store=str(store_path)), keys=keystore)
        with TestClient(app) as client:
            h = {"X-API-Key": viewer}
            r = client.get("/board?since=2025-08-01", headers=h)
            assert r.status_code == 200
            assert board_changes(r.text) == EXPECTED
            doc = lxml.html.fromstring(r.text)
            li = doc.xpath('//*[@data-change="projects_started"]//li')[0]
            assert li.xpath(".//a")[0].get("href").startswith("map?view=thread&focus=QI-070")
            r = client.get("/board?since=2020-01-01", headers=h)
            assert r.status_code == 422 and "no audit was recorded" in r.text
            assert "changes-h" not in client.get("/board", headers=h).text
        keystore.close()
        assert s.history_days() == ["2025-07-31"]  # a served page records nothing


@pytest.mark.browser
def test_changes_section_on_screen(store_path: Path, tmp_path: Path, monkeypatch,
                                   open_page) -> None:
    with SQLiteStore(store_path) as s:
        s.apply(changes_made(s))
    monkeypatch.setenv("QMSGRAPH_TODAY", "2025-09-01")
    out = tmp_path / "board.html"
    r = runner.invoke(cli.app, ["board", "-s", str(store_path), "--since", "2025-08-01",
                                "-o", str(out)])
    assert r.exit_code == 0, r.output
    page, watch = open_page(out.as_uri())
    section = page.locator("#changes")
    section.scroll_into_view_if_needed()
    assert section.locator("li").count() == sum(len(v) for v in EXPECTED.values())
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTEFACTS / "board-changes.png"))
    if AXE.exists():  # the section keeps the page free of serious accessibility problems
        assert run_axe(page) == []
    watch.assert_clean()


def test_records_one_a_day_survive_clear_and_cost_writes_nothing(tmp_path: Path,
                                                                  monkeypatch) -> None:
    from qmsgraph.alignment import history

    with SQLiteStore(tmp_path / "s.qmsdb") as s:
        load_files(s, FILES)
        clock = s.revision()
        view, report, spc = s.view(), s.audit(), s.spc_summaries()
        history.keep(s, view, report, spc, history.parse_day("2025-07-31"))
        first = s.get_history("2025-07-31")
        monkeypatch.setenv("QMSGRAPH_TODAY", "2025-07-31")
        history.keep(s, view, report, spc)  # the same day again: replaces
        history.keep(s, view, report, spc, history.parse_day("2025-06-30"))
        assert s.history_days() == ["2025-06-30", "2025-07-31"]
        assert s.get_history("2025-07-31") == first
        assert s.revision() == clock  # recording is not a change to the model
        s.clear()
        assert s.history_days() == ["2025-06-30", "2025-07-31"]
    monkeypatch.setenv("QMSGRAPH_TODAY", "31/07/2025")
    with pytest.raises(ValueError, match="QMSGRAPH_TODAY"):
        history.today()


def test_project_statuses_from_the_arrays_match_the_bodies(store_path: Path) -> None:
    with SQLiteStore(store_path) as s:
        s.apply(changes_made(s))  # a patched core: a new project, a changed status
        v = s.view()
        assert v.project_statuses() == {p.id: p.status for p in v.nodes("ImprovementProject")}
        assert v.project_statuses()["QI-021"] == "stopped"
        assert v.project_statuses()["QI-070"] == "active"


@pytest.mark.browser
def test_a_board_member_asks_what_changed_on_the_served_page(store_path: Path, tmp_path: Path,
                                                             open_page) -> None:
    """Over HTTP against ``qmsgraph serve``: sign in through /login, pick a day in the page's
    form, read the changes, follow one to the map that shows its evidence."""
    from ..live import make_keys, serve
    from .conftest import wait_ready
    from .test_board_served import sign_in

    with SQLiteStore(store_path) as s:
        s.apply(changes_made(s))
    keys = make_keys(store_path)
    with serve(store_path, keys, tmp_path / "serve.log") as srv:
        page, watch = open_page(srv.url + "/login")
        sign_in(page, srv.url, keys["viewer"])
        assert page.locator("#changes").count() == 0
        page.fill("#since", "2025-08-01")
        page.get_by_role("button", name="Show changes").click()
        page.wait_for_url(srv.url + "/board?since=2025-08-01")
        assert board_changes(page.content()) == EXPECTED
        page.locator("#changes").screenshot(path=str(ARTEFACTS / "board-changes-served.png"))
        page.locator("[data-change=projects_started] li a").first.click()
        wait_ready(page)
        assert "focus=QI-070" in page.url
        assert page.evaluate("window.qmsgraphMap.network.getSelectedNodes()") == ["QI-070"]
        assert "M-CDIFF" in page.evaluate("window.qmsgraphMap.nodes.getIds()")
        watch.assert_clean()
