"""Overlap at proposal time (issue 20): which live, completed or stopped projects a proposal
repeats, what they achieved and what they learned.

A project is a candidate when its label and aim say the same thing as the proposal's
(text similarity of at least ``TEXT_MIN`` on at least ``MIN_SHARED_TERMS`` shared terms,
:mod:`.text`) or when it improves one of the
proposal's measures or processes. Candidates are ranked by

    score = text similarity + 0.3 x shared measures + 0.2 x shared processes
            + 0.1 if the same unit leads it

and the closest ``MAX_OVERLAPS`` are listed with their status, leading units, what they
share and why they match (the terms both texts use), the SPC result on each measure they
improve (special-cause improvement, concern, common cause) and the lessons they yielded
(``yields``) with what each lesson informed. Every project status is compared: a completed
or stopped project is the one whose lessons a new team most needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import schema
from .results import MeasureResult, Overlap, PastLesson, ProjectCheck, ProjectProposal
from .text import TextIndex, analyse, project_text

# Chosen on tests/data/overlap_cases.yaml (benchmarks/bench_overlap.py): every paraphrase
# scores >= 0.47 there; 0.35 keeps a margin for wording the thesaurus does not know, at the
# price of listing some near-misses (which the reader sees with their score and terms).
TEXT_MIN = 0.35
# A text match must rest on at least two shared terms: one shared word ("outpatient") in
# two short texts gives a high cosine and no real likeness (measured on the same cases).
MIN_SHARED_TERMS = 2
MAX_OVERLAPS = 5
TEXT_CANDIDATES = 20


def text_matches(index: TextIndex, text: str, k: int = TEXT_CANDIDATES
                 ) -> list[tuple[str, float]]:
    """Projects whose text is like ``text``: similarity of at least ``TEXT_MIN`` resting on
    at least ``MIN_SHARED_TERMS`` shared terms, best first."""
    mine = set(analyse(text))
    return [(pid, score) for pid, score in index.search(text, k, TEXT_MIN)
            if len(mine & set(analyse(index.text_of(pid)))) >= MIN_SHARED_TERMS]


def proposal_text(p: ProjectProposal) -> str:
    return project_text(p.label, p.aim)


def structural_candidates(graph: Any, proposal: ProjectProposal) -> set[str]:
    """Projects (any status) that improve one of the proposal's measures or processes."""
    out: set[str] = set()
    for t in [*proposal.measures, *proposal.processes]:
        if t in graph:
            out.update(p for p in graph.predecessors(t, "improves")
                       if graph.kind(p) == "ImprovementProject")
    return out


def find_overlaps(graph: Any, proposal: ProjectProposal, hits: list[tuple[str, float]],
                  index: TextIndex | None,
                  spc: Callable[[str], Any] | None = None) -> list[Overlap]:
    """The closest projects, from the text hits and ``graph`` (which must hold the
    candidates with their improves, leads and yields edges, and the lessons' informs)."""
    text_score = dict(hits)
    measures, processes = set(proposal.measures), set(proposal.processes)
    cands = sorted(set(text_score) | structural_candidates(graph, proposal))
    rows = []
    ptext = proposal_text(proposal)
    for pid in cands:
        if pid not in graph:
            continue
        targets = set(graph.successors(pid, "improves"))
        sm, sp = sorted(targets & measures), sorted(targets & processes)
        units = sorted(u for u in graph.predecessors(pid, "leads")
                       if schema.is_a(graph.kind(u), "OrganisationalUnit"))
        same_unit = bool(proposal.unit and proposal.unit in units)
        text = text_score.get(pid, 0.0)
        score = round(text + 0.3 * len(sm) + 0.2 * len(sp) + 0.1 * same_unit, 4)
        rows.append((score, pid, text, sm, sp, units, same_unit, sorted(targets)))
    rows.sort(key=lambda r: (-r[0], r[1]))
    out = []
    for score, pid, text, sm, sp, units, same_unit, targets in rows[:MAX_OVERLAPS]:
        node = graph.node(pid)
        why = []
        terms: list[str] = []
        if text >= TEXT_MIN:
            if index is not None:
                terms = index.shared_terms(ptext, index.text_of(pid))
            why.append(f"its aim says much the same (similarity {text:.2f}"
                       + (f"; both speak of {', '.join(terms)}" if terms else "") + ")")
        if sm:
            why.append(f"it improves the same measure(s): {', '.join(sm)}")
        if sp:
            why.append(f"it improves the same process(es): {', '.join(sp)}")
        if same_unit:
            why.append("the same unit leads it")
        results = []
        for m in targets:
            if graph.kind(m) != "Measure":
                continue
            results.append(_result(graph, m, spc))
        lessons = [PastLesson(id=lid, label=graph.label(lid),
                              informs=sorted(graph.successors(lid, "informs")))
                   for lid in sorted(graph.successors(pid, "yields"))]
        out.append(Overlap(project=pid, label=node.label, status=getattr(node, "status", None)
                           or "unknown", units=units, score=score, text_similarity=text,
                           shared_terms=terms, shared_measures=sm, shared_processes=sp,
                           same_unit=same_unit, why=why, results=results, lessons=lessons))
    return out


def _result(graph: Any, mid: str, spc: Callable[[str], Any] | None) -> MeasureResult:
    r = None
    if spc is not None:
        try:
            r = spc(mid)
        except Exception:  # too few points, no data: no SPC result to show
            r = None
    if r is None or not getattr(r, "points", None):
        return MeasureResult(measure=mid, label=graph.label(mid), variation=None,
                             summary="not enough data for an SPC chart")
    from ..spc.results import VARIATION_ICON_LABELS

    return MeasureResult(measure=mid, label=graph.label(mid), variation=r.variation_type,
                         summary=VARIATION_ICON_LABELS.get(r.variation_icon, r.variation_type))


def overlap_summary(overlaps: list[Overlap]) -> str | None:
    """One sentence for the check's reasons, or None."""
    done = [o for o in overlaps if o.status in ("completed", "stopped")]
    if not overlaps:
        return None
    first = overlaps[0]
    s = (f"{len(overlaps)} existing project(s) look like this one; the closest is "
         f"'{first.label}' ({first.status})")
    if done:
        s += f"; {len(done)} of them finished or stopped: read their results and lessons first"
    return s + "."


def with_overlaps(check: ProjectCheck, overlaps: list[Overlap]) -> ProjectCheck:
    reasons = list(check.reasons)
    line = overlap_summary(overlaps)
    if line:
        reasons.append(line)
    return check.model_copy(update={"overlaps": overlaps, "reasons": reasons})
