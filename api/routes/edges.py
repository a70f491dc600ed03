"""Edges: list with filters, create, read, replace (its provenance), delete.

An edge is named by (source, kind, target); it has no fields but its provenance, so it
has no version: replacing one records who confirmed it and why.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from qmsgraph.errors import ConflictError, NotFoundError
from qmsgraph.model import make_edge
from qmsgraph.stores import ChangeSet

from ..auth import Principal, require_role
from ..deps import (
    AUTH_ERRORS,
    CONFLICT,
    INVALID,
    NOT_FOUND,
    Limit,
    Offset,
    Reason,
    id_path,
    provenance,
)
from ..schemas import EdgeCreate, EdgeKind, EdgeOut, EdgePage, EdgeReplace
from ..state import AppState, state

router = APIRouter(prefix="/edges", tags=["edges"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
Planner = Annotated[Principal, Depends(require_role("planner"))]
State = Annotated[AppState, Depends(state)]
Source = Annotated[str, Path(description="The source node's id.", **id_path("ward-7"))]
Target = Annotated[str, Path(description="The target node's id.", **id_path("M1"))]
Kind = Annotated[EdgeKind, Path(description="The edge kind.", examples=["monitors"])]  # type: ignore[valid-type]
IdFilter = Annotated[str | None, Query(max_length=128)]


def _out(edge: Any) -> dict[str, Any]:
    return {"source": edge.source, "kind": edge.kind, "target": edge.target,
            "provenance": edge.provenance}


@router.get("", response_model=EdgePage, response_model_exclude_none=True,
            summary="List edges", responses=INVALID)
def list_edges(st: State, _: Viewer,
               kind: Annotated[EdgeKind | None, Query()] = None,  # type: ignore[valid-type]
               source: IdFilter = None, target: IdFilter = None,
               node: Annotated[str | None, Query(max_length=128, description=(
                   "Edges to or from this node."))] = None,
               limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """Edges matching every filter given, sorted by source, kind and target."""
    with st.store.snapshot():
        edges = st.store.find_edges(kind=kind, source=source, target=target, node=node)
    return {"total": len(edges), "limit": limit, "offset": offset,
            "items": [_out(e) for e in edges[offset:offset + limit]]}


@router.post("", status_code=201, response_model=EdgeOut, response_model_exclude_none=True,
             summary="Create an edge", responses={**CONFLICT, **INVALID})
async def create_edge(st: State, who: Planner, body: EdgeCreate, response: Response,
                      reason: Reason = None) -> dict[str, Any]:
    """Add an edge; its kind must admit the kinds of the two nodes (ontology domain/range)."""
    edge = make_edge(body.kind, body.source, body.target,
                     provenance=provenance(who, body.reason or reason))

    def create() -> None:
        if st.store.view().has_edge(body.source, body.kind, body.target):
            raise ConflictError(f"duplicate edge {body.source!r} -{body.kind}-> "
                                f"{body.target!r}")
        # the store checks again in its transaction: a concurrent create gets 409 there
        st.store.apply(ChangeSet(add_edges=[(edge, None)], source="api"))

    await st.writes.run(create)
    response.headers["Location"] = f"/edges/{edge.source}/{edge.kind}/{edge.target}"
    return _out(edge)


@router.get("/{source}/{kind}/{target}", response_model=EdgeOut,
            response_model_exclude_none=True, summary="Read an edge",
            responses={**NOT_FOUND, **INVALID})
def read_edge(st: State, _: Viewer, source: Source, kind: Kind, target: Target
              ) -> dict[str, Any]:
    return _out(st.store.view().edge(source, kind, target))


@router.put("/{source}/{kind}/{target}", response_model=EdgeOut,
            response_model_exclude_none=True, summary="Create or replace an edge",
            responses={201: {"model": EdgeOut, "description": "Created."}, **INVALID})
async def put_edge(st: State, who: Planner, source: Source, kind: Kind, target: Target,
                   body: EdgeReplace, response: Response, reason: Reason = None
                   ) -> dict[str, Any]:
    """Create the edge, or replace its provenance (who confirmed it, why) if it exists."""
    edge = make_edge(kind, source, target, provenance=provenance(who, body.reason or reason))

    def put() -> bool:
        exists = st.store.view().has_edge(source, kind, target)
        cs = ChangeSet(add_edges=[(edge, None)], source="api")
        if exists:
            cs.delete_edges.append(((source, kind, target), None))
        st.store.apply(cs)
        return exists

    exists = await st.writes.run(put)
    response.status_code = 200 if exists else 201
    return _out(edge)


@router.delete("/{source}/{kind}/{target}", status_code=204, response_class=Response,
               summary="Delete an edge", responses={**NOT_FOUND, **INVALID})
async def delete_edge(st: State, _: Planner, source: Source, kind: Kind, target: Target
                      ) -> Response:
    def delete() -> None:
        if not st.store.view().has_edge(source, kind, target):
            raise NotFoundError(f"no edge {source!r} -{kind}-> {target!r}")
        st.store.apply(ChangeSet(delete_edges=[((source, kind, target), None)], source="api"))

    await st.writes.run(delete)
    return Response(status_code=204)
