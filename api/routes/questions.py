"""The QMS frameworks' questions answered from the graph (``GET /ask``, ``GET /ask/{id}``) and
the Duty of Quality report (``GET /reports/duty-of-quality``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import TypeAdapter

from qmsgraph.questions import Answer, QuestionInfo, ask, list_questions, question

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, INVALID, NOT_FOUND
from ..state import AppState, state

router = APIRouter(tags=["questions"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
State = Annotated[AppState, Depends(state)]
_ANSWERS = TypeAdapter(list[Answer])


def _kept(st: AppState, key: tuple[Any, ...], compute: Any, media: str) -> Response:
    """Computed once per store revision and kept (as the audit is)."""
    with st.store.snapshot():
        body = st.answers.get(key, st.store.revision(), compute)
    return Response(body, media_type=media)


@router.get("/ask", response_model=list[QuestionInfo] | list[Answer],
            summary="The questions a Board should be able to answer about its QMS")
def questions(st: State, _: Viewer,
              answers: Annotated[bool, Query(description=(
                  "false: the list of questions (id, source, whether the graph can answer "
                  "it, what to record when it cannot); true: every answer."))] = False
              ) -> Response:
    """NHS Wales's "where to start" questions, the Appendix C questions for building a QMS
    and the Duty of Quality's domains."""
    if not answers:
        return Response(TypeAdapter(list[QuestionInfo]).dump_json(list_questions()),
                        media_type="application/json")
    return _kept(st, ("ask", None), lambda: _ANSWERS.dump_json(ask(st.store, None,
                                                                    st.config)),
                 "application/json")


@router.get("/ask/{question_id}", response_model=Answer, summary="Answer one question",
            responses=NOT_FOUND)
def answer_one(st: State, _: Viewer,
               question_id: Annotated[str, Path(description=(
                   "The question's id (GET /ask lists them), e.g. `escalate`."),
                   max_length=64, pattern=r"^[a-z0-9-]+$")]) -> Response:
    """A plain answer, its evidence (node ids with a note) and what is missing to answer it
    better; for a question the graph cannot answer, what would have to be recorded."""
    question(question_id)  # 404 naming the known ids
    return _kept(st, ("ask", question_id), lambda: ask(
        st.store, question_id, st.config)[0].model_dump_json().encode(), "application/json")


@router.get("/reports/duty-of-quality", response_class=HTMLResponse,
            summary="The Duty of Quality report",
            responses={200: {"description": "The report in the format asked for.",
                             "content": {"text/html": {"schema": {"type": "string"}},
                                         "text/markdown": {"schema": {"type": "string"}},
                                         "application/json": {"schema": {"type": "object"}}}},
                       **INVALID})
def duty_of_quality(st: State, _: Viewer,
                    period: Annotated[str | None, Query(max_length=21, description=(
                        "START:END, e.g. 2025-04-01:2026-03-31 (default: the April-March "
                        "year holding the latest data point)."))] = None,
                    format: Annotated[Literal["html", "md", "json"], Query(description=(
                        "html (self-contained page, linked to the served maps), md or "
                        "json."))] = "html") -> Response:
    """Per quality domain and enabler: goals, measures with their SPC icons, improvement
    completed in the period and whether it shifted its measure, assurance done, gaps; the
    four aspects' activity; the "where to start" answers."""
    import json

    from qmsgraph.questions.duty import duty_markdown, duty_report, parse_period

    span = parse_period(period) if period else None

    def compute() -> bytes:
        report = duty_report(st.store, span, st.config)
        if format == "json":
            return json.dumps(report).encode()
        if format == "md":
            return duty_markdown(report).encode()
        from qmsgraph.visualisations.duty import render_duty

        return render_duty(st.store.view(), report, links="served",
                           prefix="../").encode()

    media = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8",
             "json": "application/json"}[format]
    return _kept(st, ("duty", span, format), compute, media)
