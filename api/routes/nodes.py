"""Nodes: list with filters, create, read (with ETag), replace, merge-patch, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from qmsgraph import schema
from qmsgraph.errors import ConflictError, ValidationError
from qmsgraph.model import make_node, node_to_dict
from qmsgraph.stores import ChangeSet

from ..auth import Principal, require_role
from ..deps import (
    AUTH_ERRORS,
    CONFLICT,
    ETAG_HEADER,
    INVALID,
    NOT_FOUND,
    PRECONDITIONS,
    IdPath,
    IfMatch,
    Limit,
    Offset,
    Reason,
    any_version,
    check_if_match,
    etag,
    node_out,
    precondition,
    provenance,
    require_if_match,
)
from ..problems import ProblemException
from ..schemas import NodeCreate, NodeKind, NodeOut, NodePage, NodeReplace
from ..state import AppState, backoff, read_inline, state

QualityDomain = Literal[schema.QUALITY_DOMAINS]  # type: ignore[valid-type]
QuadrupleAim = Literal[schema.QUADRUPLE_AIM]  # type: ignore[valid-type]
router = APIRouter(prefix="/nodes", tags=["nodes"], responses=AUTH_ERRORS)
NodeId = Annotated[str, Path(description="The node's id.", **IdPath)]
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
Planner = Annotated[Principal, Depends(require_role("planner"))]
State = Annotated[AppState, Depends(state)]
ATTEMPTS = 8  # an If-Match: * write built again when another process's writer got in first
PATCH_EXAMPLE = {"label": "Falls collaborative (phase 2)", "status": "paused"}


@router.get("", response_model=NodePage, response_model_exclude_none=True,
            summary="List nodes", responses={**NOT_FOUND, **INVALID})
def list_nodes(
    st: State, _: Viewer,
    kind: Annotated[NodeKind | None, Query(description=(  # type: ignore[valid-type]
        "Only nodes of this kind or its subclasses (OrganisationalUnit includes Team)."))]
    = None,
    unit: Annotated[str | None, Query(max_length=128, description=(
        "Only nodes owned, led, delivered or monitored by this unit, a unit below it, "
        "or a person in them."))] = None,
    status: Annotated[str | None, Query(max_length=50, description=(
        "Only nodes with this status (goals and projects)."), examples=["active"])] = None,
    q: Annotated[str | None, Query(max_length=200, description=(
        "Case-insensitive text search in id, label and description."))] = None,
    quality_domain: Annotated[QualityDomain | None, Query(description=(
        "Only goals, objectives and measures that name this quality domain."))] = None,
    quadruple_aim: Annotated[QuadrupleAim | None, Query(description=(
        "Only goals, objectives and measures that name this Quadruple Aim dimension."))]
    = None,
    limit: Limit = 100, offset: Offset = 0,
) -> dict[str, Any]:
    """Nodes matching every filter given, sorted by id, one page at a time."""
    with st.store.snapshot():  # the selection and the versions of one revision
        ids = st.store.find_nodes(kind=kind, unit=unit, status=status, q=q,
                                  quality_domain=quality_domain, quadruple_aim=quadruple_aim)
        chosen = st.store.node_versions(ids[offset:offset + limit])
    items = [node_out(n, v) for n, v in chosen.values()]
    return {"total": len(ids), "limit": limit, "offset": offset, "items": items}


@router.post("", status_code=201, response_model=NodeOut, response_model_exclude_none=True,
             summary="Create a node",
             responses={201: {"headers": {**ETAG_HEADER, "Location": {
                 "description": "The new node's URL.", "schema": {"type": "string"}}}},
                 **CONFLICT, **INVALID})
async def create_node(st: State, who: Planner, response: Response,
                      body: Annotated[NodeCreate, Body(title="NodeCreate")],
                      reason: Reason = None) -> dict[str, Any]:
    """Add one node; its kind and fields are checked against the ontology."""
    node = make_node(body.model_dump(exclude_unset=True), provenance=provenance(who, reason))

    def create() -> Any:
        existing = st.store.view().get(node.id)
        if existing is not None:
            raise ConflictError(f"duplicate id {node.id!r}: already used by {existing.kind} "
                                f"{existing.label!r}")
        # the store checks again in its transaction: a concurrent create gets 409 there
        return st.store.apply(ChangeSet(add_nodes=[(node, None)], source="api"))

    result = await st.writes.run(create)
    version = result.versions[node.id]
    response.headers["ETag"] = etag(version)
    response.headers["Location"] = f"/nodes/{node.id}"
    return node_out(node, version)


@router.get("/{node_id}", response_model=NodeOut, response_model_exclude_none=True,
            summary="Read a node", responses={200: {"headers": ETAG_HEADER}, **NOT_FOUND})
async def read_node(st: State, _: Viewer, node_id: NodeId, response: Response
                    ) -> dict[str, Any]:
    """The node, with its version as the ETag (send it back in If-Match to change it)."""
    # One indexed row read (an embedded store never waits for a writer to read): done on
    # the event loop, as a worker thread's hand-over would cost more than the read
    # (benchmarks/README.md, "The API under load").
    node, version = await read_inline(st, st.store.node_version, node_id)
    response.headers["ETag"] = etag(version)
    return node_out(node, version)


async def _write(st: AppState, node_id: str, if_match: str | None, build: Any,
                 response: Response) -> dict[str, Any]:
    """Check If-Match, build the new node from the current one, apply it at that version
    (the store checks the version again in the transaction that commits). Another writer
    committing in between is 412 - unless If-Match is ``*``: then the change is built again
    on the new version."""
    require_if_match(if_match)

    def write() -> tuple[Any, Any, int]:
        with st.writes.node_lock(node_id):
            for attempt in range(ATTEMPTS):
                current, expected = st.store.node_version(node_id)  # body and version
                check_if_match(node_id, expected, if_match)
                node = build(current)
                try:
                    result = st.store.apply(ChangeSet(update_nodes=[(node, expected, None)],
                                                       source="api"))
                    return node, result, expected
                except ConflictError as err:  # another process's writer got in between
                    if not any_version(if_match) or attempt == ATTEMPTS - 1:
                        raise ProblemException(412, str(err), field="If-Match") from None
                backoff(attempt)
        raise AssertionError("unreachable")

    node, result, expected = await st.writes.run(write)
    version = result.versions.get(node_id, expected)
    response.headers["ETag"] = etag(version)
    return node_out(node, version)


@router.put("/{node_id}", response_model=NodeOut, response_model_exclude_none=True,
            summary="Replace a node",
            responses={200: {"headers": ETAG_HEADER}, **NOT_FOUND, **PRECONDITIONS,
                       **INVALID})
async def replace_node(st: State, who: Planner, node_id: NodeId, response: Response,
                       body: Annotated[NodeReplace, Body(title="NodeReplace")],
                       if_match: IfMatch = None, reason: Reason = None) -> dict[str, Any]:
    """Replace every field of the node (the kind may change if its edges still fit).
    Needs If-Match with the node's current ETag."""
    data = {**body.model_dump(exclude_unset=True), "id": node_id}
    node = make_node(data, provenance=provenance(who, reason))
    return await _write(st, node_id, if_match, lambda _current: node, response)


@router.patch("/{node_id}", response_model=NodeOut, response_model_exclude_none=True,
              summary="Change some fields of a node (JSON merge patch)",
              responses={200: {"headers": ETAG_HEADER}, **NOT_FOUND, **PRECONDITIONS,
                         **INVALID})
async def patch_node(st: State, who: Planner, node_id: NodeId, response: Response,
                     body: Annotated[dict[str, Any], Body(
                         title="NodeMergePatch",
                         media_type="application/merge-patch+json",
                         openapi_examples={"relabel": {"summary": "New label and status",
                                                       "value": PATCH_EXAMPLE}})],
                     if_match: IfMatch = None, reason: Reason = None) -> dict[str, Any]:
    """RFC 7396 merge patch: the fields given replace the node's, ``null`` removes a field.
    ``id`` cannot change; ``provenance`` and ``version`` are the API's to set. Needs
    If-Match with the node's current ETag."""
    for reserved in ("provenance", "version"):
        if reserved in body:
            raise ValidationError(f"{reserved} cannot be set: the API records it",
                                  field=reserved)
    if "id" in body and body["id"] != node_id:
        raise ValidationError("a node's id cannot change", field="id")

    def build(current: Any) -> Any:
        data = node_to_dict(current)
        data.pop("provenance", None)
        for k, v in body.items():
            if v is None:
                data.pop(k, None)
            else:
                data[k] = v
        return make_node(data, provenance=provenance(who, reason))

    return await _write(st, node_id, if_match, build, response)


@router.delete("/{node_id}", status_code=204, response_class=Response,
               summary="Delete a node and its edges",
               responses={**NOT_FOUND, **PRECONDITIONS, **INVALID})
async def delete_node(st: State, _: Planner, node_id: NodeId, if_match: IfMatch = None
                      ) -> Response:
    """Remove the node and every edge to or from it. Needs If-Match with its ETag."""
    def delete() -> None:
        with st.writes.node_lock(node_id):
            for attempt in range(ATTEMPTS):
                expected = precondition(st.store, node_id, if_match)
                try:
                    st.store.apply(ChangeSet(delete_nodes=[(node_id, expected, None)],
                                             source="api"))
                    return
                except ConflictError as err:
                    if not any_version(if_match) or attempt == ATTEMPTS - 1:
                        raise ProblemException(412, str(err), field="If-Match") from None
                backoff(attempt)

    await st.writes.run(delete)
    return Response(status_code=204)
