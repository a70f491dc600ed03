"""The catalogue: each question of NHS Wales's *Developing a Quality Management System*
("where to start", section 2.4; Appendix C) and the Duty of Quality's domains, with the query
that answers it - or, for a question the graph cannot answer, what would have to be recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import NotFoundError
from . import building as b
from . import operating as o
from . import planning as p
from .context import Context
from .results import Answer, QuestionInfo

WS = "NHS Wales, Developing a QMS, 2.4 Where to start"
APP_C = "NHS Wales, Developing a QMS, Appendix C"
DOQ = "Duty of Quality (Wales): quality domains"
QA4 = "NHS Wales, Developing a QMS, 1.2: improvements in the Quadruple Aim"


@dataclass(frozen=True)
class Question:
    id: str
    number: str
    text: str
    source: str
    aspect: str
    query: Callable[[Context], p.Result] | None = None
    needs: tuple[str, ...] = field(default=())

    @property
    def answerable(self) -> bool:
        return self.query is not None

    def info(self) -> QuestionInfo:
        return QuestionInfo(id=self.id, number=self.number, text=self.text, source=self.source,
                            aspect=self.aspect, answerable=self.answerable,
                            needs=list(self.needs))


_Q = Question
QUESTIONS: tuple[Question, ...] = (
    _Q("signal-change", "Where to start 1", "Has something in our internal processes or "
       "external environment signalled a change?", WS, "planning", p.signal_change),
    _Q("signal-need", "Where to start 2", "Does the signal indicate a change in the need or "
       "in our customers?", WS, "planning", p.signal_need),
    _Q("purpose-change", "Where to start 3", "Does the signal indicate our purpose needs to "
       "change?", WS, "planning", None, (
           "a judgement the graph cannot make: record the Board's review of its purpose as a "
           "Review, and the lessons and feedback that informed it - today `assures` and "
           "`informs` cannot point at a Purpose",)),
    _Q("leadership-ready", "Where to start 4", "What does the leadership need to do to get "
       "the system ready to meet the need?", WS, "planning", p.leadership_ready),
    _Q("change-plans", "Where to start 5", "Do we need to change our plans to achieve the "
       "outcomes we need?", WS, "planning", p.change_plans),
    _Q("processes-meeting", "Where to start 6a", "Planning to operate: which processes are "
       "meeting expectations and where they need to be?", WS, "planning", p.processes_meeting),
    _Q("people-capacity", "Where to start 6b", "Planning to operate: what people do we need "
       "and what skills, capacity and capabilities do they need to have?", WS, "planning",
       p.people_capacity),
    _Q("design-new", "Where to start 7a", "Planning to improve: which new processes, products "
       "or services need to be designed and why?", WS, "planning", p.design_new),
    _Q("redesign", "Where to start 7b", "Planning to improve: which existing processes, "
       "products or services need to be redesigned and why?", WS, "planning", p.redesign),
    _Q("daily-work", "Where to start 8", "Do we have a standardised process in place to "
       "manage daily work?", WS, "control", o.daily_work),
    _Q("processes-operating", "Where to start 9", "Are our processes operating as we need and "
       "delivering the products and services we need?", WS, "control", o.operating),
    _Q("fix-locally", "Where to start 10", "What isn't working as it should be and can be "
       "improved by those closest to the work?", WS, "control", o.fix_locally),
    _Q("escalate", "Where to start 11", "What is our data telling us isn't working as it "
       "should be and needs to be escalated for improvement support?", WS, "control",
       o.escalate),
    _Q("improvement-worked", "Where to start 12", "Has the improvement resulted in the "
       "products and services achieving the intended outcome and meeting the need?", WS,
       "improvement", o.improvement_worked),
    _Q("assured-over-time", "Where to start 13", "Are we assured of our performance over "
       "time?", WS, "assurance", o.assured_over_time),
    _Q("assured-enablers", "Where to start 14", "Are we assured that we have the necessary "
       "culture, people, infrastructure and improvement programmes to deliver on the "
       "outcomes?", WS, "assurance", o.assured_enablers),
    _Q("environment", "Appendix C: big picture 1", "What do we know about the internal and "
       "external environment?", APP_C, "big picture", b.environment),
    _Q("data-telling", "Appendix C: big picture 2", "What is the data telling us?", APP_C,
       "big picture", b.data_telling),
    _Q("needs", "Appendix C: big picture 3", "What need have we identified?", APP_C,
       "big picture", b.needs),
    _Q("who-we-serve", "Appendix C: purpose 1", "Who are we serving?", APP_C, "purpose",
       b.who_we_serve),
    _Q("purpose", "Appendix C: purpose 2", "What is our purpose?", APP_C, "purpose",
       b.purpose),
    _Q("value-added", "Appendix C: purpose 3", "What value do we add for them?", APP_C,
       "purpose", b.value_added),
    _Q("purpose-measures", "Appendix C: purpose 4", "What do we measure to tell us we are "
       "accomplishing our purpose?", APP_C, "purpose", b.purpose_measures),
    _Q("values", "Appendix C: practical values", "What values do we collectively need in "
       "order to achieve our purpose?", APP_C, "practical values", b.values),
    _Q("services-have", "Appendix C: products and services 1", "What products and services "
       "do we have that help us achieve our purpose?", APP_C, "products and services",
       b.services_have),
    _Q("services-redesign", "Appendix C: products and services 2", "What products and "
       "services do we need to design or redesign to help us achieve our purpose?", APP_C,
       "products and services", b.services_redesign),
    _Q("process-links", "Appendix C: processes 1", "How are work processes linked to make the "
       "system achieve its purpose effectively?", APP_C, "processes", b.process_links),
    _Q("vital-processes", "Appendix C: processes 2", "What 20% of processes do we depend upon "
       "to accomplish our purpose?", APP_C, "processes", b.vital_processes),
    _Q("roles", "Appendix C: people 1", "What roles and responsibilities do we need to fill "
       "and what kinds of people do we need to fill them?", APP_C, "people", b.roles),
    _Q("skills", "Appendix C: people 2", "What skills do they need to have?", APP_C, "people",
       None, ("the skills each role needs and the skills people hold: there is no Skill "
              "kind; only enablers of type 'skills' or 'workforce' (not linked to roles)",)),
    _Q("interaction", "Appendix C: people 3", "How should we interact as we work to achieve "
       "our purpose?", APP_C, "people", None, (
           "the forums where people meet (who, how often, to decide what): only escalation "
           "routes (escalatesTo), team membership (memberOf) and shared tools (uses) are "
           "recorded",)),
    _Q("culture", "Appendix C: people 4", "How does the current culture support a QMS and how "
       "can our efforts to improve/maintain our culture align?", APP_C, "people", b.culture),
    _Q("quality-domains", "Duty of Quality", "Which quality domain has no goal or no "
       "measure?", DOQ, "planning", b.quality_domains),
    _Q("quadruple-aim", "Quadruple Aim", "Which Quadruple Aim dimension (population health, "
       "experience of care, value, staff experience) has no goal or no measure?", QA4,
       "planning", b.quadruple_aim),
)
BY_ID = {q.id: q for q in QUESTIONS}


def list_questions() -> list[QuestionInfo]:
    """Every question of the catalogue, in the sources' order."""
    return [q.info() for q in QUESTIONS]


def question(qid: str) -> Question:
    try:
        return BY_ID[qid]
    except KeyError:
        raise NotFoundError(f"no question {qid!r}; `qmsgraph ask --list` (GET /ask) lists "
                            f"them: {', '.join(BY_ID)}") from None


def answer(ctx: Context, qid: str) -> Answer:
    """The answer to one question (for one the graph cannot answer: what to record)."""
    q = question(qid)
    if q.query is None:
        return Answer(**q.info().model_dump(), answer="The graph cannot answer this question.",
                      missing=list(q.needs))
    text, evidence, missing = q.query(ctx)
    return Answer(**q.info().model_dump(), answer=text, evidence=evidence, missing=missing)


def ask(store: object, qid: str | None = None, config: object = None) -> list[Answer]:
    """Answer one question (``qid``) or all of them, from one snapshot of ``store``."""
    ids = [question(qid).id] if qid else [q.id for q in QUESTIONS]
    with store.snapshot():  # type: ignore[attr-defined]
        ctx = Context(store, config)  # type: ignore[arg-type]
        return [answer(ctx, i) for i in ids]
