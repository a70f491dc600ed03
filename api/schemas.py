"""Request and response models of the API (pydantic), made from the library's models.

Node bodies are a union discriminated by ``kind``: one variant per node kind, with that
kind's own fields, built from :data:`qmsgraph.model.NODE_CLASSES` so that the OpenAPI
document always matches the ontology. The API never takes ``provenance`` from a client: it
records it (source ``api``, the key's name, the time and an optional reason).
"""

from __future__ import annotations

import copy
import datetime as dt
import types
import typing
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, create_model
from pydantic.fields import FieldInfo

from qmsgraph import schema
from qmsgraph.alignment import RULES, Finding, Score
from qmsgraph.model import ID_PATTERN, NODE_CLASSES, Provenance

from .keys import ROLES
from .spc_schemas import AnnotationOut, RebasePromptOut

NodeKind = Literal[tuple(schema.NODE_KINDS)]  # type: ignore[valid-type]
EdgeKind = Literal[tuple(schema.EDGE_KINDS)]  # type: ignore[valid-type]
RuleId = Literal[tuple(RULES)]  # type: ignore[valid-type]
Severity = Literal["error", "warning", "info"]
ExportFormat = Literal["ttl", "jsonld", "graphml", "gexf", "cyjs", "yaml"]
IdStr = Annotated[str, Field(pattern=ID_PATTERN, examples=["G1"])]

EXAMPLES: dict[str, dict[str, Any]] = {
    "StrategicGoal": {"id": "G1", "kind": "StrategicGoal", "label": "Reduce avoidable harm",
                      "status": "active", "target": 20, "deadline": "2027-03-31",
                      "quality_domains": ["safe"]},
    "Measure": {"id": "M1", "kind": "Measure", "label": "Falls per 1,000 bed days",
                "measure_type": "outcome", "direction": "decrease",
                "unit_of_measure": "per 1,000 bed days", "target": 5},
    "ImprovementProject": {"id": "QI-1", "kind": "ImprovementProject",
                           "label": "Falls collaborative", "status": "active",
                           "method": "Model for Improvement",
                           "aim": "Reduce falls by 30% by March 2026"},
}


def _iso_text(value: Any) -> Any:
    """Dates and times come as ISO text in JSON, never as numbers (pydantic's lax mode
    would read 0 as 1970-01-01)."""
    if isinstance(value, str | dt.date):
        return value
    raise ValueError("expected an ISO 8601 date as a string, e.g. 2027-03-31")


StrictDate = Annotated[dt.date, BeforeValidator(_iso_text)]
StrictDateTime = Annotated[dt.datetime, BeforeValidator(_iso_text)]
StrictBool = Annotated[bool, Strict()]
StrictInt = Annotated[int, Strict()]
StrictFloat = Annotated[float, Strict()]
_LEAVES: dict[Any, Any] = {bool: StrictBool, int: StrictInt, float: StrictFloat,
                           dt.date: StrictDate, dt.datetime: StrictDateTime}


def strict(tp: Any) -> Any:
    """The same type, but JSON types as the schema says: no "3" for 3, no 0 for a date,
    no 1 for true (request bodies are validated in pydantic's lax Python mode)."""
    if tp in _LEAVES:
        return _LEAVES[tp]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _strict_model(tp)
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *meta = typing.get_args(tp)
        return Annotated[(strict(base), *meta)]  # type: ignore[return-value]
    if origin in (Union, types.UnionType):
        return Union[tuple(strict(a) for a in typing.get_args(tp))]  # noqa: UP007
    if origin in (list, tuple, set, frozenset) and typing.get_args(tp):
        return origin[tuple(strict(a) for a in typing.get_args(tp))]
    return tp


@cache
def _strict_model(model: type[BaseModel]) -> type[BaseModel]:
    fields = {name: (strict(info.annotation), _copy(info))
              for name, info in model.model_fields.items()}
    return create_model(model.__name__ + "In", __config__=model.model_config,
                        __doc__=model.__doc__, **fields)


def _copy(info: FieldInfo) -> FieldInfo:
    return copy.copy(info)


def _variant(kind: str, suffix: str, *, with_id: bool, output: bool) -> type[BaseModel]:
    cls = NODE_CLASSES[kind]
    fields: dict[str, Any] = {}
    if with_id:
        fields["id"] = (str, _copy(cls.model_fields["id"]))
    fields["kind"] = (Literal[kind], Field(description=schema.NODE_KINDS[kind][2]))
    for name, info in cls.model_fields.items():
        if name in ("id", "provenance"):
            continue
        fields[name] = ((info.annotation if output else strict(info.annotation)),
                        _copy(info))
    if output:
        fields["provenance"] = (Provenance, Field(description="Where the node came from."))
        fields["version"] = (int, Field(ge=1, description=(
            "The node's version; its ETag is this number in quotes. Send it back in "
            "If-Match to update or delete the node.")))
    example = dict(EXAMPLES.get(kind, {"id": "X1", "kind": kind, "label": f"A {kind}"}))
    if not with_id:
        example.pop("id", None)
    if output:
        example.update(provenance={"source": "api", "agent": "alice",
                                   "at": "2025-01-06T09:00:00Z"}, version=1)
    return create_model(
        f"{kind}{suffix}", __doc__=f"{schema.NODE_KINDS[kind][2]} ({suffix.lower()} form)",
        __config__=ConfigDict(extra="forbid", json_schema_extra={"examples": [example]}),
        **fields)


def _union(suffix: str, *, with_id: bool, output: bool) -> Any:
    variants = tuple(_variant(k, suffix, with_id=with_id, output=output)
                     for k in schema.NODE_KINDS)
    return Annotated[Union[variants], Field(discriminator="kind")]  # noqa: UP007


NodeCreate = _union("Create", with_id=True, output=False)
NodeReplace = _union("Replace", with_id=False, output=False)
NodeOut = _union("Out", with_id=True, output=True)


class NodePage(BaseModel):
    """One page of nodes, sorted by id."""

    total: int = Field(ge=0, description="How many nodes match, on all pages.")
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    items: list[NodeOut]  # type: ignore[valid-type]


class EdgeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"source": "M1", "kind": "indicates", "target": "O1",
         "reason": "agreed at the quality committee"}]})

    source: IdStr
    kind: EdgeKind  # type: ignore[valid-type]
    target: IdStr
    reason: str | None = Field(None, max_length=2000, description="Why (kept in provenance).")


class EdgeReplace(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "confirmed at the 2025 planning round"}]})

    reason: str | None = Field(None, max_length=2000, description="Why (kept in provenance).")


class EdgeOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"source": "M1", "kind": "indicates", "target": "O1",
         "provenance": {"source": "api", "agent": "alice", "at": "2025-01-06T09:00:00Z"}}]})

    source: str
    kind: EdgeKind  # type: ignore[valid-type]
    target: str
    provenance: Provenance


class EdgePage(BaseModel):
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    items: list[EdgeOut]


class ImportFile(BaseModel):
    name: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\]+$",
                      description="File name; its suffix says the format (.yaml, .yml, .csv, "
                      ".ttl, .jsonld, .json, .nt, .rdf, .xml).", examples=["model.yaml"])
    content: str = Field(description="The file's text (UTF-8).")


class ImportOptions(BaseModel):
    """How files are imported (the form fields of an upload beside its files)."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["add", "upsert"] = Field("add", description=(
        "'add': an id already in the store is an error; 'upsert': replace such nodes."))
    dry_run: StrictBool = Field(False, description="Validate only and report; write "
                                "nothing.")
    reason: str | None = Field(None, max_length=2000, description="Why (kept in provenance).")


class ImportRequest(ImportOptions):
    """Files to import in one transaction, and how."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "files": [{"name": "model.yaml", "content": "qmsgraph: 1\nnodes:\n  - id: G9\n"
                   "    kind: StrategicGoal\n    label: Better staff experience\n"}],
        "mode": "add", "dry_run": True, "reason": "2025 planning round"}]})

    files: list[ImportFile] = Field(min_length=1, max_length=100)


class ImportReport(BaseModel):
    """What an import did (or, with dry_run, would do), or every problem found."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "valid": True, "dry_run": True, "files": ["model.yaml"], "nodes_added": 1,
        "nodes_updated": 0, "edges_added": 0, "problems": [], "versions": {"G9": 1}}]})

    valid: bool
    dry_run: bool
    files: list[str]
    nodes_added: int = 0
    nodes_updated: int = 0
    edges_added: int = 0
    versions: dict[str, int] = Field(default_factory=dict, description=(
        "New version of each node written (empty for a dry run)."))
    problems: list[str] = Field(default_factory=list, description=(
        "Every problem found, each naming its file and line or row."))


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "qi-hub", "role": "viewer"}]})

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.@\-]*$",
                      description="Who or what uses the key (recorded as the agent of changes).")
    role: Literal[ROLES]  # type: ignore[valid-type]


class KeyOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": "3f2a9c0b1d4e", "name": "qi-hub", "role": "viewer",
         "created": "2025-01-06T09:00:00+00:00", "revoked": None}]})

    id: str
    name: str
    role: Literal[ROLES]  # type: ignore[valid-type]
    created: str
    revoked: str | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself. It is shown this once and never stored.")


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "ok", "version": "0.1.0", "store": "embedded", "nodes": 42,
         "revision": 17}]})

    status: Literal["ok"]
    version: str
    store: Literal["embedded", "server"]
    nodes: int | None = Field(None, ge=0, description=(
        "Nodes in the snapshot this process holds in memory (None for a server store)."))
    revision: int | None = Field(None, ge=-1, description=(
        "The store revision of that snapshot (None for a server store)."))


class Ready(BaseModel):
    status: Literal["ready"]
    store: Literal["embedded", "server"]
    revision: int = Field(description="The store revision this process now serves.")
    nodes: int | None = Field(None, ge=0, description="Nodes at that revision (embedded).")
    worker: int = Field(description="The id of the process that answered (one per worker "
                        "with `qmsgraph serve --workers N`).")


class AlignmentAuditOut(BaseModel):
    """The alignment audit: a summary of every finding, and the findings that match."""

    summary: dict[str, Any] = Field(description="Counts over the whole audit (unfiltered).")
    total: int = Field(ge=0, description="How many findings match the filters.")
    findings: list[Finding]
    classification: dict[str, Literal["aligned", "misaligned", "locally-aligned",
                                      "orphaned"]] = Field(
        description="Every live project (within the unit, if one is given); empty when "
        "not asked for (`classification=false`, the default with `limit`).")
    as_of: dt.date | None = None
    next_cursor: str | None = Field(None, description=(
        "Where the next page starts (pass it as `cursor`); None on the last page."))


class BalanceRow(BaseModel):
    QP: int = Field(ge=0, description="Planning: services delivered, driver processes owned.")
    QC: int = Field(ge=0, description="Control: measures monitored or owned, mainstay and "
                    "support processes owned.")
    QA: int = Field(ge=0, description="Assurance: assurance activities led.")
    QI: int = Field(ge=0, description="Improvement: live projects led.")


class ScoresOut(BaseModel):
    overall: Score
    units: list[Score]
    formula: str


class SPCOptionsOut(BaseModel):
    improvement_direction: Literal["increase", "decrease", "neutral"]
    target: float | None
    rebase: list[dt.date]
    fix_after_n_points: int | None
    screen_outliers: bool
    min_points: int


class SPCGroupOut(BaseModel):
    group: int
    start_index: int
    end_index: int
    n: int
    start_date: dt.date
    end_date: dt.date
    mean: float | None
    lpl: float | None
    upl: float | None
    lower_2sigma: float | None
    upper_2sigma: float | None
    average_moving_range: float | None
    n_fixed: int
    moving_ranges_screened_out: int
    common_cause: int
    special_cause_improvement: int
    special_cause_concern: int
    special_cause_neutral: int
    short_group_warning: bool
    variation_type: str


class SPCPointOut(BaseModel):
    index: int
    input_index: int
    date: dt.date
    value: float
    group: int
    position_in_group: int
    mean: float | None
    lpl: float | None
    upl: float | None
    lower_2sigma: float | None
    upper_2sigma: float | None
    moving_range: float | None
    moving_range_used: bool
    relative_to_mean: int
    outside_limits: bool | None
    close_to_limits: bool | None
    trend: int
    part_of_trend: bool
    part_of_two_in_three: bool
    part_of_run: bool
    special_cause_type: str
    special_cause_flag: bool
    rule: str | None
    point_type: str
    short_group_warning: bool


class SPCOut(BaseModel):
    """An XmR (Making Data Count) analysis of a measure's data."""

    measure: str
    label: str
    unit_of_measure: str | None = None
    options: SPCOptionsOut
    mean: float | None
    lpl: float | None
    upl: float | None
    variation_type: str
    variation_icon: str
    variation_label: str
    assurance_type: str | None
    assurance_icon: str | None
    assurance_label: str | None
    short_group_warning: bool
    warnings: list[str]
    signals: list[str] = Field(description="Plain-English sentences about the latest point.")
    groups: list[SPCGroupOut]
    points: list[SPCPointOut]
    # every chart of a measure (qmsgraph.spc.measures); see api/spc_schemas.py
    chart_type: Literal["xmr"] = "xmr"
    annotations: list[AnnotationOut] = Field(default_factory=list, description=(
        "Dated marks from the improvement work on the measure."))
    rebase_prompt: RebasePromptOut | None = Field(None, description=(
        "A proposed rebase, never applied; only with suggest_rebase."))
