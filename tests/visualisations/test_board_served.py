"""The Board page of the example organisation, served by the real API app and used as a
Board member would: signed in through ``/login`` in a plain browser (no header set by the
test), from a measure in concern to the project that improves it, and checked with
axe-core."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qmsgraph import cli
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..conftest import REPO
from .conftest import shot, wait_ready

FILES = cli.example_files()
AXE = REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(not all(f.exists() for f in FILES),
                                reason="the example organisation is not there")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from qmsgraph.api.app import create_app
    from qmsgraph.api.keys import KeyStore
    from qmsgraph.api.settings import Settings

    folder = tmp_path_factory.mktemp("served")
    store = SQLiteStore(folder / "northvale.qmsdb")
    load_files(store, FILES)
    keys = KeyStore(folder / "keys.db")
    _, viewer = keys.create("Board member", "viewer")
    _, planner = keys.create("Planner", "planner")
    app = create_app(store, Settings(store=str(folder / "northvale.qmsdb")), keys=keys)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield {"url": f"http://127.0.0.1:{port}", "viewer": viewer, "planner": planner,
           "app": app, "store": store}
    srv.should_exit = True
    t.join(timeout=10)
    store.close()
    keys.close()


def sign_in(page: Any, base: str, key: str, target: str = "/board") -> None:
    page.goto(base + target)
    assert "/login" in page.url  # a plain browser is sent to the sign-in form
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + target)


# ------------------------------------------------------------------ the report


@pytest.mark.browser
def test_from_a_measure_in_concern_to_the_project_that_improves_it(served, open_page) -> None:
    base = served["url"]
    page, watch = open_page(base + "/login")
    shot(page, "login")
    sign_in(page, base, served["viewer"])
    cookie = next(c for c in page.context.cookies() if c["name"] == "qmsgraph_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "Signed in as" in page.locator(".account").inner_text()
    shot(page, "board-served", full_page=True)

    # every measure row has its chart (or says why not); rows in concern order per goal
    tables = page.locator("table.measures")
    assert tables.count() >= 4
    for i in range(tables.count()):
        ranks = [int(r) for r in tables.nth(i).locator("tr.measure-row").evaluate_all(
            "rows => rows.map(r => r.dataset.concern)")]
        assert ranks == sorted(ranks), f"table {i} not in concern order: {ranks}"
    rows = page.locator("tr.measure-row")
    no_chart = rows.filter(has_not=page.locator("svg.spark"))
    assert rows.count() > 40
    for i in range(no_chart.count()):
        assert "too few for a chart" in no_chart.nth(i).inner_text() or \
            "no data" in no_chart.nth(i).inner_text()
    assert no_chart.count() <= 2
    # the charts have text alternatives
    alts = page.locator("svg.spark").evaluate_all("s => s.map(x => x.getAttribute('aria-label'))")
    assert all(a.startswith("SPC chart of") for a in alts)

    # the first goal's first row is in concern and names the project that improves it
    row = page.locator("tr.measure-row.in-concern").first
    measure = row.get_attribute("data-measure")
    assert int(row.get_attribute("data-concern")) < 10
    assert row.locator("svg[data-icon^=concern]").count() == 1
    project = row.locator("li.project").first
    pid = project.get_attribute("data-project")
    assert project.locator(".verdict").inner_text() in ("aligned", "misaligned", "orphaned",
                                                       "weakly aligned")

    # the variation icon opens the measure's thread with the work below it: the project
    row.locator("a.icon-link").first.click()
    wait_ready(page)
    assert f"focus={measure}" in page.url and "depth=" in page.url
    in_map = page.evaluate("window.qmsgraphMap.nodes.getIds()")
    assert measure in in_map and pid in in_map
    assert "Improved by" in page.locator("#details-body").inner_text()
    shot(page, "board-measure-thread")
    page.go_back()

    # the project opens its own thread, selected
    page.locator(f"tr.measure-row[data-measure='{measure}'] li.project a").first.click()
    wait_ready(page)
    assert page.evaluate("window.qmsgraphMap.network.getSelectedNodes()") == [pid]
    assert measure in page.evaluate("window.qmsgraphMap.nodes.getIds()")
    shot(page, "board-project-thread")
    watch.assert_clean()

    # sign out: the session ends, the pages ask for a key again
    page.goto(base + "/board")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/login")
    page.goto(base + "/map")
    assert "/login" in page.url


@pytest.mark.browser
def test_print_to_pdf_a4_landscape(served, open_page, tmp_path: Path) -> None:
    base = served["url"]
    page, _ = open_page(base + "/login")
    sign_in(page, base, served["viewer"])
    page.emulate_media(media="print")
    shot(page, "board-print", full_page=True)
    pdf = tmp_path / "board.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    head = pdf.read_bytes()
    assert head.startswith(b"%PDF")
    # A4 landscape: 842 x 595 points
    assert b"/MediaBox [0 0 841.91998 594.95996]" in head or b"842" in head


# ------------------------------------------------------------------ sign-in rules


@pytest.fixture
def client(served) -> Iterator[TestClient]:
    with TestClient(served["app"], base_url="http://testserver") as c:
        yield c


def _login(client: TestClient, key: str) -> str:
    form = client.get("/login?next=/board")
    csrf = client.cookies.get("qmsgraph_csrf")
    assert csrf and f'value="{csrf}"' in form.text
    r = client.post("/login", data={"api_key": key, "csrf": csrf, "next": "/board"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/board"
    set_cookie = r.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie.replace("Strict",
                                                                                 "strict")
    assert "Secure" not in set_cookie  # plain http here; https sets Secure
    return client.cookies.get("qmsgraph_session")


def test_login_needs_the_forms_csrf_token(client: TestClient, served) -> None:
    client.get("/login")
    r = client.post("/login", data={"api_key": served["viewer"], "csrf": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403 and "qmsgraph_session" not in client.cookies


def test_bad_key_and_open_redirect_refused(client: TestClient, served) -> None:
    client.get("/login")
    csrf = client.cookies.get("qmsgraph_csrf")
    r = client.post("/login", data={"api_key": "qmsk_000000000000_nope", "csrf": csrf})
    assert r.status_code == 401 and "not valid" in r.text
    client.get("/login")
    csrf = client.cookies.get("qmsgraph_csrf")
    r = client.post("/login", data={"api_key": served["viewer"], "csrf": csrf,
                                    "next": "//evil.example/board"}, follow_redirects=False)
    assert r.headers["location"] == "/board"


def test_api_clients_still_get_401_and_browsers_a_redirect(client: TestClient) -> None:
    r = client.get("/board", headers={"Accept": "application/json"})
    assert r.status_code == 401
    r = client.get("/board", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/board"


def test_cookie_writes_need_the_session_csrf_token(client: TestClient, served) -> None:
    _login(client, served["planner"])
    body = {"kind": "Team", "id": "T-CSRF", "label": "CSRF team"}
    r = client.post("/nodes", json=body)
    assert r.status_code == 403 and "CSRF" in r.text
    page = client.get("/board")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post("/nodes", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    # and a delete with the token; the shared example stays as it was for the other tests
    r = client.delete("/nodes/T-CSRF", headers={"X-CSRF-Token": token,
                                                "If-Match": r.headers["ETag"]})
    assert r.status_code == 204, r.text
    # a viewer's session cannot write even with the token
    client.cookies.clear()
    _login(client, served["viewer"])
    token = client.get("/board").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post("/nodes", json={**body, "id": "T-CSRF2"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 403


def test_logout_expiry_and_revocation_end_the_session(client: TestClient, served) -> None:
    from qmsgraph.api.keys import KeyStore

    sessions = served["app"].state.sessions
    _login(client, served["viewer"])
    assert client.get("/board").status_code == 200
    token = client.get("/board").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/board", headers={"Accept": "application/json"}).status_code == 401
    # expiry
    old = sessions.ttl
    sessions.ttl = 0
    try:
        client.cookies.clear()
        _login(client, served["viewer"])
        assert client.get("/board", headers={"Accept": "application/json"}).status_code == 401
    finally:
        sessions.ttl = old
    # revoking the key ends its sessions
    keys: KeyStore = served["app"].state.qmsgraph.keys
    info, key = keys.create("Short-lived", "viewer")
    client.cookies.clear()
    _login(client, key)
    assert client.get("/board").status_code == 200
    keys.revoke(info.id)
    assert client.get("/board", headers={"Accept": "application/json"}).status_code == 401


# ------------------------------------------------------------------ accessibility


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (scripts/test.sh)")
@pytest.mark.parametrize("target", ["/board", "/map?view=system", "/map?view=findings",
                                    "/map?view=thread&focus=M-CANCER62&depth=3",
                                    "/map?view=driver&focus=QI-015", "/login"])
def test_axe_finds_no_serious_violation(served, open_page, target: str) -> None:
    base = served["url"]
    page, _ = open_page(base + "/login")
    if target != "/login":
        sign_in(page, base, served["viewer"], target)
        if "/map" in target:
            wait_ready(page)
            # the details panel, filled, is checked too
            page.evaluate("(id) => window.qmsgraphMap.select(id)",
                          page.evaluate("window.qmsgraphMap.nodes.getIds()[0]"))
    bad = run_axe(page)
    assert bad == [], bad


# ------------------------------------------------------------------ readable maps


def settled_labels(page: Any) -> list[dict[str, Any]]:
    """The labels drawn once the view has stopped moving (fit animates; a loaded machine
    draws late): two readings 300 ms apart that agree."""
    last: Any = None
    for _ in range(20):
        page.wait_for_timeout(300)
        now = page.evaluate("window.qmsgraphMap.labels()")
        if now == last:
            return now
        last = now
    return last


@pytest.mark.browser
def test_system_map_labels_readable_at_fit(served, open_page) -> None:
    """At fit-to-screen the example's system view draws labels at 13 px on screen (not the
    ~6 px of map units scaled down), as many as fit without overlapping, goals first."""
    base = served["url"]
    page, watch = open_page(base + "/login")
    sign_in(page, base, served["viewer"], "/map?view=system")
    wait_ready(page)
    page.click("#fit")
    labels = settled_labels(page)
    shot(page, "map-system-fit")
    assert len(labels) >= 30
    assert min(label["px"] for label in labels) >= 12
    drawn = {label["id"] for label in labels}
    goals = [g for g in page.evaluate("window.qmsgraphMap.nodes.getIds()") if g.startswith("G")
             and page.evaluate("(id) => window.qmsgraphMap.data.nodes.find(n => n.id === id)"
                               ".info.rawKind", g) == "StrategicGoal"]
    # the goals win places first: at fit they sit ~40 px apart, so most (not all) fit
    assert len(goals) == 5 and len(set(goals) & drawn) >= 3
    # no two labels overlap
    boxes = [(lb["x"] - len(lb["text"]) * 3, lb["y"], lb["x"] + len(lb["text"]) * 3,
              lb["y"] + lb["px"]) for lb in labels]
    assert len(boxes) == len(set(boxes))
    # zooming in shows more
    page.click("#zoom-in")
    page.click("#zoom-in")
    page.wait_for_timeout(300)
    assert len(page.evaluate("window.qmsgraphMap.labels()")) >= len(labels) * 0.8
    watch.assert_clean()


@pytest.mark.browser
def test_driver_diagram_in_columns(served, open_page) -> None:
    base = served["url"]
    page, watch = open_page(base + "/login")
    sign_in(page, base, served["viewer"], "/map?view=driver&focus=QI-015")
    wait_ready(page)
    kinds = page.evaluate("""() => {
        const q = window.qmsgraphMap, pos = q.network.getPositions();
        return q.data.nodes.map(n => [n.info.rawKind, pos[n.id].x]); }""")
    xs: dict[str, set[float]] = {}
    for kind, x in kinds:
        xs.setdefault(kind, set()).add(round(x))
    order = ["ImprovementProject", "PrimaryDriver", "SecondaryDriver", "ChangeIdea",
             "PDSACycle"]
    present = [k for k in order if k in xs]
    assert present[:3] == order[:3], present
    for k in present:
        assert len(xs[k]) == 1, f"{k} not in one column: {xs[k]}"
    cols = [next(iter(xs[k])) for k in present]
    assert cols == sorted(cols) and len(set(cols)) == len(cols)  # left to right
    shot(page, "map-driver-QI-015")
    watch.assert_clean()
