"""Small pieces the routes share: provenance, ETags and preconditions, documented errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Query

from qmsgraph.model import ID_PATTERN, Node, Provenance, node_to_dict
from qmsgraph.stores import Store

from .auth import Principal
from .problems import Problem, ProblemException

Reason = Annotated[str | None, Header(
    alias="X-Change-Reason", max_length=2000,
    description="Why the change is made; kept in the provenance of what is written.")]
IfMatch = Annotated[str | None, Header(
    alias="If-Match", description=(
        "The ETag of the version you changed (from GET or the last write), e.g. \"3\". "
        "Required: 428 without it, 412 if the node has changed since."),
    examples=['"1"'])]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
IdPath = {"pattern": ID_PATTERN, "min_length": 1, "max_length": 128, "examples": ["G1"]}


def id_path(example: str) -> dict[str, Any]:
    return {**IdPath, "examples": [example]}


def provenance(who: Principal, reason: str | None) -> Provenance:
    return Provenance(source="api", agent=who.name, reason=reason or None)


def etag(version: int) -> str:
    return f'"{version}"'


def node_out(node: Node, version: int) -> dict[str, Any]:
    return {**node_to_dict(node), "version": version}


def _tags(value: str) -> set[int] | None:
    """Versions named by an If-Match value; None for '*'. Malformed tags match nothing."""
    if value.strip() == "*":
        return None
    out: set[int] = set()
    for part in value.split(","):
        tag = part.strip()
        if tag.startswith('"') and tag.endswith('"') and len(tag) >= 2:
            tag = tag[1:-1]
        if tag.isdigit() and len(tag) < 19:
            out.add(int(tag))
    return out


def precondition(store: Store, node_id: str, if_match: str | None) -> int:
    """The version the change must be made to; 428 without If-Match, 412 if stale."""
    require_if_match(if_match)
    current = store.version(node_id)  # NotFoundError -> 404
    check_if_match(node_id, current, if_match)
    return current


def any_version(if_match: str | None) -> bool:
    """If-Match: * (any version will do)."""
    return if_match is not None and if_match.strip() == "*"


def require_if_match(if_match: str | None) -> None:
    """428 without If-Match."""
    if if_match is None or not if_match.strip():
        raise ProblemException(428, "this change needs an If-Match header with the node's "
                               "ETag (GET the node first), so that concurrent edits are not "
                               "lost", field="If-Match")


def check_if_match(node_id: str, current: int, if_match: str | None) -> None:
    """428 without If-Match, 412 if it does not name ``current``."""
    require_if_match(if_match)
    assert if_match is not None
    tags = _tags(if_match)
    if tags is not None and current not in tags:
        raise ProblemException(412, f"node {node_id!r} has changed: it is at version "
                               f"{current} ({etag(current)}), the change was made to "
                               f"{if_match.strip()}; GET it again and redo the change",
                               field="If-Match", headers={"ETag": etag(current)})


def problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem("The request could not be read (a malformed body or header)."),
    401: problem("No API key, or the key is not valid."),
    403: problem("The key's role is too low for this."),
}
NOT_FOUND = {404: problem("No such node, edge, measure or key.")}
INVALID = {422: problem("The request breaks the ontology or a field's rules; `errors` "
                        "names every offending field, file, line or row.")}
ETAG_HEADER = {"ETag": {"description": "The node's version, in quotes.",
                        "schema": {"type": "string"}}}
PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {**problem("The node has changed since the ETag given in If-Match; `ETag` is its "
                    "current version."), "headers": ETAG_HEADER},
    428: problem("If-Match is missing."),
}
CONFLICT = {409: problem("It exists already, or it clashes with a concurrent change.")}
