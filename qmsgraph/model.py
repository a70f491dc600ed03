"""Typed model: one pydantic v2 class per node kind and per edge kind.

Node classes are written out (each kind has its own fields); edge classes are made from the
``schema.EDGE_KINDS`` table because they differ only in their kind and allowed endpoints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
)

from . import schema
from .errors import ValidationError as QMSValidationError
from .io.safe import strip_controls, text_problem

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"
_ID_RE = re.compile(ID_PATTERN)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _clean_text(value: Any, info: Any) -> Any:
    """Refuse control, escape and bidi-override characters in every text field (a label
    may not even hold a line break): they break XML exports and reach terminals."""
    for v in value if isinstance(value, list) else (value,):
        if isinstance(v, str):
            why = text_problem(v, single_line=info.field_name == "label")
            if why:
                raise ValueError(why)
    return value


class Provenance(BaseModel):
    """Where a fact came from: a file and line/row, or a user; when; and why if given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field("user", description="File name, or 'user' / 'api' for direct edits.")
    location: str | None = Field(None, description="Line or row in the source, e.g. 'line 12'.")
    agent: str | None = Field(None, description="Who made the change (user or API key name).")
    at: dt.datetime = Field(default_factory=_now, description="When it was recorded (UTC).")
    reason: str | None = Field(None, description="Why, when a person says so.")

    @field_validator("source", "location", "agent", "reason")
    @classmethod
    def _strip_controls(cls, v: str | None) -> str | None:
        """Provenance is metadata (a header, a file name): control characters are dropped
        from it rather than refusing the change they describe."""
        return None if v is None else strip_controls(v)

    @field_validator("at")
    @classmethod
    def _utc(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        return v.astimezone(dt.UTC).replace(microsecond=0)


Id = Annotated[str, Field(pattern=ID_PATTERN, description="Stable identifier, e.g. 'G1'.")]
QualityDomain = Literal["safe", "timely", "effective", "efficient", "equitable",
                        "person-centred"]
QuadrupleAim = Literal["population-health", "experience-of-care", "value", "staff-experience"]
Cadence = Literal["daily", "weekly", "monthly", "quarterly", "yearly", "ad-hoc"]


class DataPoint(BaseModel):
    """One period's value of a measure (monthly by convention; the date is the period start)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    value: float = Field(allow_inf_nan=False)
    denominator: float | None = Field(None, ge=0, allow_inf_nan=False, description=(
        "For p/u charts: patients, bed days or opportunities the value is counted out of."))
    rebase: str | None = Field(None, min_length=1, max_length=500, description=(
        "Why a new centre line and limits start at this point (a rebase, with its reason)."))


class Node(BaseModel):
    """Fields every node has."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    kind: ClassVar[str] = "Node"

    id: Id
    label: str = Field(min_length=1, max_length=500)
    description: str | None = Field(None, max_length=10_000)
    provenance: Provenance = Field(default_factory=Provenance)

    _text = field_validator("*")(_clean_text)

    def attributes(self) -> dict[str, Any]:
        """The kind-specific fields that are set (no id, label, description, provenance)."""
        out = {}
        for name in type(self).model_fields:
            if name in ("id", "label", "description", "provenance", "data"):
                continue
            v = getattr(self, name)
            if v is None or v == [] or v == ():
                continue
            out[name] = v
        return out


class Purpose(Node):
    kind: ClassVar[str] = "Purpose"


class Mission(Purpose):
    kind: ClassVar[str] = "Mission"


class Vision(Purpose):
    kind: ClassVar[str] = "Vision"


class Value(Purpose):
    kind: ClassVar[str] = "Value"


class PopulationNeed(Node):
    kind: ClassVar[str] = "PopulationNeed"


class StrategicGoal(Node):
    kind: ClassVar[str] = "StrategicGoal"
    status: Literal["active", "deprioritised", "retired"] = "active"
    target: float | None = Field(None, allow_inf_nan=False)
    deadline: dt.date | None = None
    quality_domains: list[QualityDomain] = Field(default_factory=list)
    quadruple_aim: list[QuadrupleAim] = Field(default_factory=list)


class Objective(Node):
    kind: ClassVar[str] = "Objective"
    target: float | None = Field(None, allow_inf_nan=False)
    deadline: dt.date | None = None
    quality_domains: list[QualityDomain] = Field(default_factory=list)
    quadruple_aim: list[QuadrupleAim] = Field(default_factory=list)


class Service(Node):
    kind: ClassVar[str] = "Service"


class Process(Node):
    kind: ClassVar[str] = "Process"
    process_type: Literal["driver", "mainstay", "support"]
    frequency: Cadence | None = None


class Measure(Node):
    kind: ClassVar[str] = "Measure"
    measure_type: Literal["outcome", "process", "balancing", "structure"]
    direction: Literal["increase", "decrease", "neutral"] = "increase"
    unit_of_measure: str | None = Field(None, max_length=100)
    target: float | None = Field(None, allow_inf_nan=False)
    frequency: Literal["monthly", "weekly", "quarterly", "daily"] = "monthly"
    quality_domains: list[QualityDomain] = Field(default_factory=list)
    chart_type: Literal["xmr", "run", "i", "p", "u", "c", "g", "t", "pp", "up"] = "xmr"
    quadruple_aim: list[QuadrupleAim] = Field(default_factory=list)
    data: list[DataPoint] = Field(default_factory=list)

    @field_validator("data")
    @classmethod
    def _sorted_unique(cls, v: list[DataPoint]) -> list[DataPoint]:
        seen: set[dt.date] = set()
        for p in v:
            if p.date in seen:
                raise ValueError(f"two data points for {p.date.isoformat()}")
            seen.add(p.date)
        return sorted(v, key=lambda p: p.date)


def end_not_before_start(cls: type, v: dt.date | None, info: Any) -> dt.date | None:
    """A period's end date is not before its start (a validator of dated work)."""
    start = info.data.get("start_date")
    if v is not None and start is not None and v < start:
        raise ValueError(f"end date {v} is before start date {start}")
    return v


class ImprovementProject(Node):
    kind: ClassVar[str] = "ImprovementProject"
    status: Literal["proposed", "active", "paused", "completed", "stopped"] = "active"
    tier: Literal["project", "directorate", "system"] = "project"
    method: str | None = Field(None, max_length=200)
    aim: str | None = Field(None, max_length=2000)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    progress_recorded: float | None = Field(None, ge=0.5, le=5.0, allow_inf_nan=False,
                                            description=(
        "The progress level the team records on the IHI 0.5-5 scale (steps of 0.5); "
        "qmsgraph derives its own from the evidence and flags a recorded level it does "
        "not support."))

    _after_start = field_validator("end_date")(end_not_before_start)

    @field_validator("progress_recorded")
    @classmethod
    def _half_steps(cls, v: float | None) -> float | None:
        if v is not None and v * 2 != int(v * 2):
            raise ValueError(f"progress {v} is not on the 0.5-5 scale: use steps of 0.5 "
                             "(0.5, 1.0, 1.5 ... 5.0)")
        return v


class PrimaryDriver(Node):
    kind: ClassVar[str] = "PrimaryDriver"


class SecondaryDriver(Node):
    kind: ClassVar[str] = "SecondaryDriver"


class ChangeIdea(Node):
    kind: ClassVar[str] = "ChangeIdea"
    date: dt.date | None = None


class PDSACycle(Node):
    kind: ClassVar[str] = "PDSACycle"
    date: dt.date | None = None


class AssuranceActivity(Node):
    kind: ClassVar[str] = "AssuranceActivity"
    date: dt.date | None = None
    rating: str | None = Field(None, max_length=100)
    frequency: Cadence | None = None


class Audit(AssuranceActivity):
    kind: ClassVar[str] = "Audit"


class Inspection(AssuranceActivity):
    kind: ClassVar[str] = "Inspection"


class Review(AssuranceActivity):
    kind: ClassVar[str] = "Review"


class Standard(Node):
    kind: ClassVar[str] = "Standard"
    reference: str | None = Field(None, max_length=200)
    publisher: str | None = Field(None, max_length=200)


class Risk(Node):
    kind: ClassVar[str] = "Risk"
    rating: str | None = Field(None, max_length=100)


class Incident(Node):
    kind: ClassVar[str] = "Incident"
    date: dt.date | None = None
    rating: str | None = Field(None, max_length=100)


class FeedbackSource(Node):
    kind: ClassVar[str] = "FeedbackSource"
    channel: str | None = Field(None, max_length=200)


class Enabler(Node):
    kind: ClassVar[str] = "Enabler"
    enabler_type: Literal["leadership", "workforce", "culture", "information",
                          "learning-improvement-research", "whole-system", "skills",
                          "infrastructure", "method", "learning-system"] | None = None


class LocalPriority(Node):
    """A unit's own priority; the unit ``owns`` it (see docs/alignment.md, locally-aligned)."""

    kind: ClassVar[str] = "LocalPriority"


class Lesson(Node):
    kind: ClassVar[str] = "Lesson"
    date: dt.date | None = None


class LearningCycle(Node):
    kind: ClassVar[str] = "LearningCycle"
    question: str | None = Field(None, max_length=2000)
    phase: Literal["scan", "focus", "summarise", "complete"] | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    _after_start = field_validator("end_date")(end_not_before_start)


class Tool(Node):
    kind: ClassVar[str] = "Tool"
    frequency: Cadence | None = None


class PlanningTool(Tool):
    kind: ClassVar[str] = "PlanningTool"


class ControlTool(Tool):
    kind: ClassVar[str] = "ControlTool"


class AssuranceTool(Tool):
    kind: ClassVar[str] = "AssuranceTool"


class ImprovementTool(Tool):
    kind: ClassVar[str] = "ImprovementTool"


class OrganisationalUnit(Node):
    kind: ClassVar[str] = "OrganisationalUnit"


class HealthSystem(OrganisationalUnit):
    kind: ClassVar[str] = "HealthSystem"


class Organisation(OrganisationalUnit):
    kind: ClassVar[str] = "Organisation"


class Directorate(OrganisationalUnit):
    kind: ClassVar[str] = "Directorate"


class Team(OrganisationalUnit):
    kind: ClassVar[str] = "Team"


class Person(Node):
    kind: ClassVar[str] = "Person"
    email: str | None = Field(None, max_length=320)


class Role(Node):
    kind: ClassVar[str] = "Role"


class Responsibility(Node):
    kind: ClassVar[str] = "Responsibility"
    aspect: Literal["planning", "control", "assurance", "improvement"]


NODE_CLASSES: dict[str, type[Node]] = {
    c.kind: c for c in [
        Purpose, Mission, Vision, Value, PopulationNeed, StrategicGoal, Objective, Service,
        Process, Measure, ImprovementProject, PrimaryDriver, SecondaryDriver, ChangeIdea,
        PDSACycle, AssuranceActivity, Audit, Inspection, Review, Standard, Risk, Incident,
        FeedbackSource, Enabler, LocalPriority, Lesson, LearningCycle, Tool, PlanningTool,
        ControlTool, AssuranceTool, ImprovementTool, OrganisationalUnit, HealthSystem, Organisation,
        Directorate, Team, Person, Role, Responsibility,
    ]
}


class Edge(BaseModel):
    """A typed, directed relation between two nodes, with its provenance."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[str] = "Edge"

    source: Id
    target: Id
    provenance: Provenance = Field(default_factory=Provenance)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, type(self).kind, self.target)


def _edge_class(name: str) -> type[Edge]:
    e = schema.EDGE_KINDS[name]
    cls = create_model(
        name[0].upper() + name[1:] + "Edge",
        __base__=Edge,
        __doc__=f"{e.definition} Domain: {', '.join(e.domain)}; range: {', '.join(e.range)}.",
    )
    cls.kind = name  # type: ignore[misc]
    return cls


EDGE_CLASSES: dict[str, type[Edge]] = {n: _edge_class(n) for n in schema.EDGE_KINDS}


def _check_kind(kind: Any, known: dict[str, Any], what: str, location: str | None) -> str:
    if not isinstance(kind, str) or kind not in known:
        raise QMSValidationError(
            f"unknown {what} kind {kind!r}; known kinds: {', '.join(sorted(known))}",
            location=location, field="kind")
    return kind


def _pydantic_message(err: ValidationError) -> tuple[str, str | None]:
    parts = []
    first_field = None
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        first_field = first_field or loc
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts), first_field


def make_node(data: dict[str, Any], *, location: str | None = None,
              provenance: Provenance | None = None) -> Node:
    """Build a node from a plain dict with a ``kind`` key; errors name the field."""
    data = dict(data)
    kind = _check_kind(data.pop("kind", None), NODE_CLASSES, "node", location)
    if provenance is not None and "provenance" not in data:
        data["provenance"] = provenance
    try:
        return NODE_CLASSES[kind].model_validate(data)
    except ValidationError as err:
        msg, fld = _pydantic_message(err)
        extra = [str(e["loc"][0]) for e in err.errors() if e["type"] == "extra_forbidden"]
        if extra:  # say which fields the kind has (docs/formats.md lists them)
            from .io.fields import unknown_column_message

            rest = [e for e in err.errors() if e["type"] != "extra_forbidden"]
            msg = "; ".join([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in rest]
                            + [unknown_column_message(x, kind, fields_only=True)
                               for x in extra])
        ident = data.get("id")
        who = f"{kind} {ident!r}" if ident else kind
        raise QMSValidationError(f"invalid {who}: {msg}", location=location,
                                 field=fld) from None


def make_edge(kind: str, source: str, target: str, *, location: str | None = None,
              provenance: Provenance | None = None) -> Edge:
    _check_kind(kind, EDGE_CLASSES, "edge", location)
    data: dict[str, Any] = {"source": source, "target": target}
    if provenance is not None:
        data["provenance"] = provenance
    try:
        return EDGE_CLASSES[kind].model_validate(data)
    except ValidationError as err:
        msg, fld = _pydantic_message(err)
        raise QMSValidationError(f"invalid {kind} edge: {msg}", location=location,
                                 field=fld) from None


def fast_constructor(cls: type[BaseModel], overrides: dict[str, Any] | None = None
                     ) -> Callable[..., Any]:
    """What ``cls.model_construct(**kw)`` does (no validation; defaults filled in; the
    fields set are the names given), without its per-call field loop and default-factory
    introspection, which dominate when millions of trusted objects are built (synthetic
    benchmark graphs, nodes read back from Neo4j). ``overrides`` replace defaults."""
    static: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    for name, f in cls.model_fields.items():
        if f.default_factory is not None:
            factories[name] = f.default_factory
        elif not f.is_required():
            static[name] = f.default
    for name, value in (overrides or {}).items():
        static[name] = value
        factories.pop(name, None)
    new, setattr_ = cls.__new__, object.__setattr__
    frozen = bool(cls.model_config.get("frozen"))
    shared_set: set[str] | None = None

    def construct(**kw: Any) -> Any:
        nonlocal shared_set
        d = dict(static)
        for name, factory in factories.items():
            if name not in kw:
                d[name] = factory()
        d.update(kw)
        obj = new(cls)
        setattr_(obj, "__dict__", d)
        if frozen:  # immutable: one fields-set object per shape is safe and saves memory
            if shared_set is None or shared_set != kw.keys():
                shared_set = set(kw)
            setattr_(obj, "__pydantic_fields_set__", shared_set)
        else:
            setattr_(obj, "__pydantic_fields_set__", set(kw))
        setattr_(obj, "__pydantic_extra__", None)
        setattr_(obj, "__pydantic_private__", None)
        return obj

    return construct


def node_to_dict(node: Node) -> dict[str, Any]:
    """JSON-ready dict with ``kind`` first (the inverse of :func:`make_node`)."""
    return {"kind": node.kind, **node.model_dump(mode="json", exclude_none=True)}


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))
