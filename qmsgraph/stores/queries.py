"""List-and-filter questions of the store interface (:meth:`Store.find_nodes`,
:meth:`Store.find_edges`, :meth:`Store.unit_scope`), answered over a store's read view.

The unit filter follows the Board-to-floor chain: a unit stands for itself and every unit
below it (``unitOf``), and for the people who work in those units (``memberOf``). A node is
*linked to* the unit when one of them owns, leads, delivers or monitors it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import schema
from ..errors import ValidationError

if TYPE_CHECKING:
    from ..graph import QMSGraph
    from ..model import Edge

UNIT_LINKS = ("owns", "leads", "delivers", "monitors")


def units_below(graph: QMSGraph, unit: str) -> set[str]:
    """``unit`` and every unit below it. Raises NotFoundError / ValidationError."""
    node = graph.node(unit)
    if not schema.is_a(node.kind, "OrganisationalUnit"):
        raise ValidationError(f"{unit!r} is a {node.kind}, not an organisational unit",
                              field="unit")
    seen, stack = {unit}, [unit]
    while stack:
        for child in graph.predecessors(stack.pop(), "unitOf"):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def unit_scope(graph: QMSGraph, unit: str) -> tuple[set[str], set[str]]:
    """(the units at and below ``unit``, the nodes linked to them)."""
    units = units_below(graph, unit)
    actors = set(units)
    for u in units:
        actors.update(graph.predecessors(u, "memberOf"))
    linked: set[str] = set()
    for a in actors:
        for kind in UNIT_LINKS:
            linked.update(graph.successors(a, kind))
    return units, linked


def _check_value(value: str | None, allowed: tuple[str, ...], field: str) -> None:
    if value is not None and value not in allowed:
        raise ValidationError(f"unknown {field.replace('_', ' ')} {value!r}; one of "
                              f"{', '.join(allowed)}", field=field)


def select_nodes(graph: QMSGraph, *, kind: str | None = None, unit: str | None = None,
                 status: str | None = None, q: str | None = None,
                 quality_domain: str | None = None,
                 quadruple_aim: str | None = None) -> list[str]:
    """Ids of the nodes matching every filter given, sorted. Kind and unit are answered from
    the graph's structure; node bodies are read only for a status, text, quality domain or
    Quadruple Aim filter (those two keep the goals, objectives and measures that name it)."""
    _check_value(quality_domain, schema.QUALITY_DOMAINS, "quality_domain")
    _check_value(quadruple_aim, schema.QUADRUPLE_AIM, "quadruple_aim")
    ids = graph.ids(kind)
    if unit:
        keep = unit_scope(graph, unit)[1]
        ids = [x for x in ids if x in keep]
    if quality_domain or quadruple_aim:
        tagged = ("StrategicGoal", "Objective", "Measure")
        ids = [x for x in ids if graph.kind(x) in tagged]
    if status is not None or q or quality_domain or quadruple_aim:
        needle = q.casefold() if q else None
        out = []
        for x in ids:
            n = graph.node(x)
            if status is not None and getattr(n, "status", None) != status:
                continue
            if quality_domain and quality_domain not in (n.quality_domains or []):
                continue
            if quadruple_aim and quadruple_aim not in (n.quadruple_aim or []):
                continue
            if needle is not None and not any(needle in (text or "").casefold()
                                              for text in (n.id, n.label, n.description)):
                continue
            out.append(x)
        ids = out
    return sorted(ids)


def select_edges(graph: QMSGraph, *, kind: str | None = None, source: str | None = None,
                 target: str | None = None, node: str | None = None) -> list[Edge]:
    """Edges matching every filter given, sorted by (source, kind, target)."""
    edges: Iterable[Edge]
    if source is not None:
        edges = graph.out_edges(source, kind) if source in graph else []
    elif target is not None:
        edges = graph.in_edges(target, kind) if target in graph else []
    elif node is not None:
        edges = (graph.out_edges(node, kind) + graph.in_edges(node, kind)
                 if node in graph else [])
    else:
        edges = graph.edges(kind)
    out = [e for e in edges
           if (source is None or e.source == source) and (target is None or e.target == target)
           and (node is None or node in (e.source, e.target))]
    out = list({e.key: e for e in out}.values())
    out.sort(key=lambda e: e.key)
    return out

