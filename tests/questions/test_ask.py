"""`qmsgraph ask`: the catalogue, both example organisations, and answers that change when the
graph does (each query fires and stays quiet)."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from qmsgraph.cli import app
from qmsgraph.model import make_node
from qmsgraph.questions import QUESTIONS, ask, list_questions
from qmsgraph.stores import ChangeSet, SQLiteStore

from .conftest import ROOT, SHIFTED, apply, monthly

FRAMEWORK = ROOT.parent / "shared" / "frameworks" / "003_f3a68b05401fe16b.txt"


def one(store: SQLiteStore, qid: str):
    (a,) = ask(store, qid)
    return a


def test_catalogue_covers_the_fourteen_questions_and_appendix_c() -> None:
    qs = list_questions()
    numbers = {re.match(r"Where to start (\d+)", q.number)[1] for q in qs
               if q.number.startswith("Where to start")}
    assert numbers == {str(i) for i in range(1, 15)}
    assert sum(q.number.startswith("Appendix C") for q in qs) >= 15
    assert len({q.id for q in qs}) == len(qs)
    for q in qs:
        assert q.answerable == (not q.needs), q.id  # a question answered or what to record
    assert {q.id for q in qs if not q.answerable} == {"purpose-change", "skills", "interaction"}
    if FRAMEWORK.exists():  # the framework's own words
        text = " ".join(FRAMEWORK.read_text(encoding="utf-8").split())
        for q in QUESTIONS:
            if q.number.startswith("Where to start") and q.number[-1].isdigit():
                assert q.text in text, q.text


def test_both_organisations_answer_every_question(northvale: SQLiteStore,
                                                  eastbrook: SQLiteStore) -> None:
    for store in (northvale, eastbrook):
        answers = ask(store)
        assert [a.id for a in answers] == [q.id for q in QUESTIONS]
        view = store.view()
        for a in answers:
            assert a.answer
            if not a.answerable:
                assert a.evidence == [] and a.missing == list(a.needs)
            for e in a.evidence:  # evidence names real nodes, with their labels
                assert view.label(e.id) == e.label and view.kind(e.id) == e.kind


def test_eastbrook_answers_name_its_planted_problems(eastbrook: SQLiteStore) -> None:
    a = one(eastbrook, "quality-domains")
    assert a.answer.startswith("Quality domains with no active goal or objective: efficient;"
                               " with no measure: efficient, equitable.")
    assert "G-ACCESS" in {e.id for e in a.evidence}  # domain-without-measure
    lead = {e.id for e in one(eastbrook, "leadership-ready").evidence}
    assert {"PN-ISOL", "DIR-QUAL", "PUR-M"} <= lead
    assert one(eastbrook, "assured-enablers").answer.startswith(
        "6 of the six Duty of Quality enablers")
    daily = {e.id: e.note for e in one(eastbrook, "daily-work").evidence}
    assert any("TL-HUDDLE" in n for n in daily.values())


def test_northvale_answers(northvale: SQLiteStore) -> None:
    assert "with no measure: equitable" in one(northvale, "quality-domains").answer
    esc = one(northvale, "escalate")
    # as examples/README.md says
    # M-SEPSIS-ABX misses its target too, but the live QI-P02 (Sepsis Six) improves it
    assert [e.id for e in esc.evidence] == ["M-APPRAISAL", "M-MANDTRAIN"]
    live = {"proposed", "active", "paused"}
    view = northvale.view()
    for e in esc.evidence:  # nothing escalated that live work already improves
        assert not any(view.node(p).status in live
                       for p in view.predecessors(e.id, "improves")
                       if view.kind(p) == "ImprovementProject")
    assert one(northvale, "improvement-worked").answer.startswith("Of 57 measures")


def test_escalate_fires_and_stays_quiet(small: SQLiteStore) -> None:
    # a measure consistently missing its target with no project: escalate, no route known
    apply(small, [{"kind": "Measure", "id": "M2", "label": "Sepsis antibiotics in 1 hour",
                   "measure_type": "process", "direction": "increase", "target": 95,
                   "data": monthly([70, 72, 71, 69, 70, 73, 71, 70, 72, 71, 70, 69])}],
          [("M2", "indicates", "G1"), ("WARD", "owns", "M2")])
    a = one(small, "escalate")
    assert [e.id for e in a.evidence] == ["M2"]
    assert "no escalation route" in a.evidence[0].note and a.missing
    apply(small, [], [("WARD", "escalatesTo", "ORG")])
    assert "escalate from WARD to ORG" in one(small, "escalate").evidence[0].note
    apply(small, [{"kind": "ImprovementProject", "id": "QI-1", "label": "Sepsis QI",
                   "status": "active"}], [("QI-1", "improves", "M2")])
    assert one(small, "escalate").evidence == []


def test_improvement_worked_reads_the_shift_after_the_start(small: SQLiteStore) -> None:
    apply(small, [{"kind": "ImprovementProject", "id": "QI-EARLY", "label": "Falls QI",
                   "status": "completed", "start_date": "2023-11-01",
                   "end_date": "2024-06-30"},
                  {"kind": "ImprovementProject", "id": "QI-LATE", "label": "Late start",
                   "status": "active", "start_date": "2024-10-01"},
                  {"kind": "Measure", "id": "M3", "label": "Short series",
                   "measure_type": "process", "data": monthly([1, 2, 3])}],
          [("QI-EARLY", "improves", "M1"), ("QI-LATE", "improves", "M1"),
           ("QI-EARLY", "improves", "M3")])
    notes = [(e.id, e.note) for e in one(small, "improvement-worked").evidence]
    assert ("QI-EARLY", "completed; M1: shifted - special-cause improvement from Jan 2024 "
            "(after the start, Nov 2023)") in notes
    assert ("QI-EARLY", "completed; M3: no chart - no SPC chart: fewer than 12 points") in notes
    # the run began long before this project: not its shift
    assert any(i == "QI-LATE" and "M1: before the start" in n for i, n in notes)
    small.apply(ChangeSet(update_nodes=[(make_node({
        "kind": "ImprovementProject", "id": "QI-EARLY", "label": "Falls QI",
        "status": "completed", "start_date": "2024-08-01"}), None, None)]))
    notes = [(e.id, e.note) for e in one(small, "improvement-worked").evidence]
    assert any(i == "QI-EARLY" and "M1: before the start" in n for i, n in notes)


def test_quality_domains_follow_the_tags(small: SQLiteStore) -> None:
    a = one(small, "quality-domains")
    assert "no active goal or objective: timely, effective, efficient, equitable, " \
        "person-centred" in a.answer
    apply(small, [{"kind": "StrategicGoal", "id": "G2", "label": "Fair access",
                   "status": "active", "quality_domains": ["equitable"]}],
          [("G2", "serves", "PUR")])
    a = one(small, "quality-domains")
    assert "no active goal or objective: timely, effective, efficient, person-centred;" \
        in a.answer and "equitable" in a.answer.split("no measure:")[1]


runner = CliRunner()


def test_cli_list_and_json(eastbrook: SQLiteStore) -> None:
    r = runner.invoke(app, ["ask", "--list"])
    assert r.exit_code == 0 and "signal-change" in r.stdout and "cannot be answered" in r.stdout
    r = runner.invoke(app, ["ask", "--list", "--format", "json"])
    assert len(json.loads(r.stdout)) == len(QUESTIONS)
    path = str(eastbrook.path)
    r = runner.invoke(app, ["ask", "quality-domains", "--format", "json", "--store", path])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["id"] == "quality-domains"
    r = runner.invoke(app, ["ask", "--store", path])
    assert r.exit_code == 0 and "Where to start 14" in r.stdout and "missing:" in r.stdout
    r = runner.invoke(app, ["ask", "no-such-question", "--store", path])
    assert r.exit_code == 1 and "no question 'no-such-question'" in r.output


def test_ask_and_report_never_pull_the_whole_graph(eastbrook: SQLiteStore, tmp_path,
                                                   monkeypatch) -> None:
    def graph(self):  # noqa: ANN001
        raise AssertionError("Store.graph() called: the whole graph was pulled")

    monkeypatch.setattr(SQLiteStore, "graph", graph)
    for args in (["ask"], ["report", "duty-of-quality", "-o", str(tmp_path / "r.html")],
                 ["report", "duty-of-quality", "--format", "md"]):
        r = runner.invoke(app, [*args, "--store", str(eastbrook.path)])
        assert r.exit_code == 0, (args, r.output)


def _commands(path) -> list[list[str]]:  # noqa: ANN001
    """Every `qmsgraph ...` line of the fenced code blocks, comments and redirection cut."""
    import shlex

    out, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced and line.startswith("qmsgraph ") and not line.rstrip().endswith("\\") \
                and "$(" not in line:  # one-line commands; tests/docs runs every block
            line = line.split(" #")[0].split(" >")[0]
            out.append(shlex.split(line)[1:])
    return out


def test_documented_commands_run(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """docs/questions.md and the README's lines for ask and report run as written, after
    scripts/demo.sh (Northvale in qmsgraph-demo.qmsdb) and the Eastbrook load."""
    import shutil

    from qmsgraph.cli import example_files
    from qmsgraph.io.readers import load_files

    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    demo = SQLiteStore(tmp_path / "qmsgraph-demo.qmsdb")
    load_files(demo, example_files())
    demo.close()
    monkeypatch.chdir(tmp_path)
    readme = [c for c in _commands(ROOT / "README.md")
              if c[0] in ("ask", "report") or "eastbrook.qmsdb" in c]
    docs = _commands(ROOT / "docs" / "questions.md") + _commands(ROOT / "examples" /
                                                                "EASTBROOK.md")
    assert len(readme) >= 6 and len(docs) >= 8
    unique = list(dict.fromkeys(tuple(c) for c in [*readme, *docs]))  # the load once
    for args in unique:
        r = runner.invoke(app, list(args))
        assert r.exit_code == 0, (args, r.output[-500:])
    assert (tmp_path / "doq" / "northvale.html").exists()


def test_cli_prints_hostile_labels_as_text(small: SQLiteStore) -> None:
    label = "[bold red]Falls[/] \x1b[31mred"
    apply(small, [{"kind": "PopulationNeed", "id": "PN-1", "label": "[link=x]need[/link]"}],
          [])
    small.apply(ChangeSet(update_nodes=[(make_node({
        "kind": "Measure", "id": "M1", "label": label.replace("\x1b", ""),
        "measure_type": "outcome", "direction": "decrease", "quality_domains": ["safe"],
        "data": monthly(SHIFTED)}), None, None)]))
    r = runner.invoke(app, ["ask", "needs", "--store", str(small.path)])
    assert r.exit_code == 0 and "[link=x]need" in r.stdout  # shown, not run as markup
    r = runner.invoke(app, ["ask", "quality-domains", "--store", str(small.path)])
    assert "[bold red]Falls" in r.stdout


def test_quadruple_aim_follows_the_tags(small: SQLiteStore) -> None:
    assert one(small, "quadruple-aim").answer == (
        "Quadruple Aim dimensions with no active goal or objective: population-health, "
        "experience-of-care, value, staff-experience; with no measure: population-health, "
        "experience-of-care, value, staff-experience.")
    apply(small, [{"kind": "Measure", "id": "M-STAFF", "label": "Staff survey",
                   "measure_type": "outcome", "quadruple_aim": ["staff-experience"]}],
          [("M-STAFF", "indicates", "G1")])
    a = one(small, "quadruple-aim")
    assert a.answer.endswith("with no measure: population-health, experience-of-care, "
                             "value.")
    assert [e.id for e in a.evidence] == ["M-STAFF"]


def test_purpose_measures_match_the_goals_contributors(northvale: SQLiteStore,
                                                       eastbrook: SQLiteStore) -> None:
    """One search back from the goals finds what each goal's contributors (with paths) do."""
    for store in (northvale, eastbrook):
        view = store.view()
        goals = {g for p in view.ids("Purpose") for g in view.predecessors(p, "serves")
                 if view.node(g).status == "active"}
        want = {c.node for g in goals for c in store.contributors(g).measures}
        assert {e.id for e in one(store, "purpose-measures").evidence} == want


def test_vital_processes_count_the_goals_their_thread_reaches(northvale: SQLiteStore) -> None:
    view = northvale.view()
    active = [g for g in view.ids("StrategicGoal") if view.node(g).status == "active"]
    on_thread: dict[str, int] = {}
    for g in active:
        for c in northvale.contributors(g).processes:
            on_thread[c.node] = on_thread.get(c.node, 0) + 1
    a = one(northvale, "vital-processes")
    assert len(a.evidence) == round(len(view.ids("Process")) * 0.2)
    for e in a.evidence:
        assert e.note.startswith(f"on the thread of {on_thread.get(e.id, 0)} active goal")
