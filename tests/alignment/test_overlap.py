"""Overlap at proposal time (issue 20, item 3): check-project lists the live, completed and
stopped projects a proposal repeats, by text, measure, process and unit, with their results
and lessons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from qmsgraph.alignment import ProjectProposal
from qmsgraph.alignment.overlap import TEXT_MIN, text_matches
from qmsgraph.alignment.text import INCREMENTAL_FROM, TextIndex, analyse, project_text
from qmsgraph.cli import app, example_files
from qmsgraph.io.readers import load_files
from qmsgraph.model import make_node
from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph
from tests.alignment.builder import base

CASES = Path(__file__).resolve().parents[1] / "data" / "overlap_cases.yaml"
EXAMPLES = Path(example_files()[0]).parent
runner = CliRunner()


@pytest.fixture(scope="module")
def northvale(tmp_path_factory):
    path = tmp_path_factory.mktemp("nv") / "nv.qmsdb"
    s = SQLiteStore(path)
    load_files(s, example_files())
    yield s, path
    s.close()


def test_a_paraphrase_of_a_completed_project_is_matched_by_check_project(northvale):
    """Done when: a proposal saying what a completed project said, in other words and
    naming no measure, is matched to that project by `check-project`."""
    _, path = northvale
    proposal = EXAMPLES / "proposal-home-earlier.yaml"
    assert "measures" not in yaml.safe_load(proposal.read_text(encoding="utf-8"))
    out = runner.invoke(app, ["check-project", str(proposal), "--store", str(path),
                              "-f", "json"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    first = got["overlaps"][0]
    assert first["project"] == "QI-O01" and first["status"] == "completed"
    assert first["text_similarity"] >= TEXT_MIN and first["shared_measures"] == []
    assert [les["id"] for les in first["lessons"]] == ["L-O01"]
    assert first["lessons"][0]["informs"] == ["PR-DISCHARGE"]
    assert [m["measure"] for m in first["results"]] == ["M-DISCH-NOON"]
    assert first["results"][0]["variation"] and first["results"][0]["summary"]
    assert any("finished or stopped" in r for r in got["reasons"])
    text = runner.invoke(app, ["check-project", str(proposal), "--store", str(path)]).output
    flat = " ".join(text.split())
    assert "like: Home before lunch on the medical wards (QI-O01, completed" in flat
    assert "lesson: Criteria-led discharge" in flat


def test_a_proposal_about_something_else_lists_no_overlap(northvale):
    s, _ = northvale
    check = s.check_project(ProjectProposal(
        label="Bilingual signage in the children's outpatient department",
        aim="Signs in Welsh and English in every corridor of the paediatric outpatients"))
    assert check.overlaps == []    # one shared word ("outpatient") is not a likeness


def test_shared_measure_unit_and_status_are_reported(northvale):
    """A proposal with no words in common still meets the projects improving its measure,
    whatever their status, and the same unit counts."""
    s, _ = northvale
    check = s.check_project(ProjectProposal(label="zzz", aim="qqq", measures=["M-DISCH-NOON"],
                                            unit="T-FLOW"))
    by_id = {o.project: o for o in check.overlaps}
    assert "QI-O01" in by_id
    o = by_id["QI-O01"]
    assert o.shared_measures == ["M-DISCH-NOON"] and o.same_unit and o.text_similarity == 0
    assert o.score == pytest.approx(0.4)
    assert any("same measure" in w for w in o.why) and any("same unit" in w for w in o.why)


def test_text_method_on_the_written_cases_keeps_its_measured_quality():
    """The figures of benchmarks/bench_overlap.py (at TEXT_MIN) are held: every paraphrase
    matched to its project, and most near-misses left out."""
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    ids = [p["id"] for p in data["projects"]]
    ix = TextIndex.build(ids, [project_text(p["label"], p["aim"]) for p in data["projects"]])
    made = right = 0
    for c in data["cases"]:
        hits = text_matches(ix, c["query"])[:1]
        made += bool(hits)
        right += bool(hits) and hits[0][0] == c["expect"]
    paraphrases = sum(1 for c in data["cases"] if c["expect"])
    assert right / paraphrases == 1.0            # recall
    assert right / made >= 0.85                  # precision (measured: 0.86)


def test_thesaurus_and_stems_make_other_words_meet():
    assert "pressureulcer" in analyse("Fewer bed sores") and "pressureulcer" in analyse(
        "pressure ulcers")
    assert "emergencydept" in analyse("waits in A&E") and "emergencydept" in analyse(
        "the emergency department")
    assert analyse("Reduce patients by 30%") == []      # QI stop words and figures go


def test_the_index_is_kept_while_project_texts_do_not_change(tmp_path: Path):
    g = base()
    s = SQLiteStore(tmp_path / "t.qmsdb")
    s.apply(changes_from_graph(g.graph))
    first = s.text_index()
    assert s.text_index() is first
    # a write that touches no project: a new revision, the same index
    s.apply(ChangeSet().node(make_node({"kind": "Measure", "id": "M9", "label": "m9",
                                        "measure_type": "outcome"})))
    assert s.text_index() is first
    s.apply(ChangeSet().node(make_node({"kind": "ImprovementProject", "id": "Q9",
                                        "label": "q9", "status": "completed",
                                        "aim": "Fewer falls on the wards"})))
    assert s.text_index() is not first and "Q9" in s.text_index().ids
    s.close()


def test_a_few_changed_projects_update_the_index_in_place():
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    n = INCREMENTAL_FROM
    ids = [p["id"] for p in data["projects"]] + [f"X{i:05d}" for i in range(n)]
    texts = [project_text(p["label"], p["aim"]) for p in data["projects"]] + [
        f"Filler project {i} about hospital parking" for i in range(n)]
    full = TextIndex.build(ids, texts)
    texts2 = list(texts)
    texts2[0] = "Fewer bed sores on the stroke unit"           # P01 rewritten
    up = full.updated(ids + ["NEW"], texts2 + ["Quicker antibiotics in A&E for sepsis"])
    assert up.stale == 2 and up.ids[-1] == "NEW"
    assert up.search("bed sores on the stroke unit", k=1)[0][0] == "P01"
    assert up.search("antibiotics for sepsis in the emergency department", k=2)[0][0] in (
        "NEW", "P04")
    # unchanged rows keep their vectors: a query scores them as the full build did
    assert up.scores("hip fracture surgery")[ids.index("P08")] == pytest.approx(
        full.scores("hip fracture surgery")[ids.index("P08")])
    many = full.updated(ids, [t + " extra words" for t in texts])   # all changed: rebuilt
    assert many.stale == 0
    small = TextIndex.build(ids[:30], texts[:30])   # a small register is always rebuilt
    assert small.updated(ids[:30], texts2[:30]).stale == 0
