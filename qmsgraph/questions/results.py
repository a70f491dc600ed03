"""The answers of :mod:`qmsgraph.questions` (pydantic models, the same on the CLI and the API)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Item(BaseModel):
    """One piece of evidence: a node, and why it is part of the answer."""

    id: str
    label: str
    kind: str
    note: str = Field("", description="Why this node is evidence (its state, figure or gap).")


class QuestionInfo(BaseModel):
    """A question of the catalogue: where it comes from and whether the graph answers it."""

    id: str = Field(description="Short name: `qmsgraph ask ID`, `GET /ask/ID`.")
    number: str = Field(description="Its number in the source (e.g. 'Where to start 6a').")
    text: str = Field(description="The question, in the framework's words.")
    source: str
    aspect: str = Field(description="planning, control, improvement, assurance, or the "
                        "Appendix C heading.")
    answerable: bool = Field(description="False: the graph cannot answer it; `needs` says "
                             "what would have to be recorded.")
    needs: list[str] = Field(default_factory=list, description=(
        "For a question the graph cannot answer: what would have to be recorded."))


class Answer(QuestionInfo):
    """A plain answer, its evidence and what is missing to answer it better."""

    answer: str = Field(description="The answer in one or two plain sentences.")
    evidence: list[Item] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description=(
        "What is missing from the graph to answer this better (gaps in what is recorded)."))
