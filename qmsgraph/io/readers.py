"""Read YAML model files, CSV registers and RDF into one validated ChangeSet.

Nothing here writes: :func:`read_files` turns files into a :class:`~qmsgraph.store.ChangeSet`
with a location on every item, and the store applies it in one transaction. Problems are
collected across all files so that one run reports them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from .. import schema
from ..errors import ConflictError, ValidationError
from ..graph import QMSGraph
from ..model import (
    DataPoint,
    Edge,
    Measure,
    Node,
    Provenance,
    is_valid_id,
    make_edge,
    make_node,
)
from ..stores import ApplyResult, ChangeSet, Progress, Store

LIST_SEP = ";"
LIST_FIELDS = {"quality_domains", "quadruple_aim"}
DATA_COLUMNS = ["measure_id", "date", "value"]
RDF_SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt",
                ".rdf": "xml", ".xml": "xml"}


class _Collector:
    """Gathers nodes, edges, data points and problems from many files."""

    def __init__(self, agent: str | None, reason: str | None) -> None:
        self.nodes: dict[str, tuple[Node, str]] = {}
        self.edges: dict[tuple[str, str, str], tuple[Edge, str]] = {}
        self.points: dict[str, dict[dt.date, tuple[DataPoint, str]]] = {}
        self.problems: list[str] = []
        self.agent = agent
        self.reason = reason
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.sources: list[str] = []
        # stored measures with new data: the merged node, where, and the version merged with
        self.updates: dict[str, tuple[Node, str, int | None]] = {}

    def prov(self, source: str, location: str | None, reason: str | None = None
             ) -> Provenance:
        return Provenance(source=source, location=location, agent=self.agent, at=self.now,
                          reason=reason or self.reason)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def add_node(self, data: dict[str, Any], source: str, location: str, where: str) -> None:
        try:
            node = make_node(data, provenance=self.prov(source, location))
        except ValidationError as err:
            self.problem(where, str(err))
            return
        if node.id in self.nodes:
            self.problem(where, f"duplicate id {node.id!r}: already defined at "
                                f"{self.nodes[node.id][1]}")
            return
        self.nodes[node.id] = (node, where)

    def add_edge(self, kind: str, s: Any, t: Any, source: str, location: str, where: str,
                 reason: str | None = None) -> None:
        for end, v in (("source", s), ("target", t)):
            if not isinstance(v, str | int) or not is_valid_id(str(v)):
                self.problem(where, f"{kind}: {end} {v!r} is not a valid id")
                return
        s, t = str(s), str(t)
        try:
            edge = make_edge(kind, s, t, provenance=self.prov(source, location, reason))
        except ValidationError as err:
            self.problem(where, str(err))
            return
        if edge.key in self.edges:
            self.problem(where, f"duplicate edge {s!r} -{kind}-> {t!r} (first at "
                                f"{self.edges[edge.key][1]})")
            return
        self.edges[edge.key] = (edge, where)

    def add_point(self, measure_id: str, date: dt.date, value: float, where: str) -> None:
        series = self.points.setdefault(measure_id, {})
        if date in series:
            self.problem(where, f"duplicate data point for measure {measure_id!r} on "
                                f"{date.isoformat()} (first at {series[date][1]})")
            return
        series[date] = (DataPoint(date=date, value=value), where)


# ---------------------------------------------------------------------------- YAML

class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping as ``__line__``."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _read_yaml(path: Path, text: str, col: _Collector) -> None:
    name = str(path)
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f"{name}:{mark.line + 1}" if mark else name
        col.problem(line, f"malformed YAML: {err.problem or err}")
        return
    except (yaml.YAMLError, ValueError) as err:  # e.g. a date like 2024-13-01
        col.problem(name, f"malformed YAML: {err}")
        return
    if not isinstance(doc, dict):
        col.problem(name, "expected a mapping with a 'nodes' list at the top")
        return
    unknown = set(doc) - {"qmsgraph", "nodes", "edges", "__line__", "name", "description"}
    if unknown:
        col.problem(f"{name}:{doc['__line__']}",
                    f"unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    for item in _as_list(doc.get("nodes")):
        if not isinstance(item, dict):
            col.problem(name, f"each entry under 'nodes' must be a mapping, got {item!r}")
            continue
        line = item.pop("__line__")
        where = f"{name}:{line}"
        _node_with_inline_edges(item, name, f"line {line}", where, col)
    for item in _as_list(doc.get("edges")):
        if not isinstance(item, dict):
            col.problem(name, f"each entry under 'edges' must be a mapping, got {item!r}")
            continue
        line = item.pop("__line__")
        where = f"{name}:{line}"
        missing = [k for k in ("source", "kind", "target") if k not in item]
        extra = set(item) - {"source", "kind", "target", "reason"}
        if missing or extra:
            col.problem(where, "an edge needs source, kind and target (and may have reason)"
                        + (f"; missing {', '.join(missing)}" if missing else "")
                        + (f"; unknown {', '.join(sorted(extra))}" if extra else ""))
            continue
        col.add_edge(item["kind"], item["source"], item["target"], name, f"line {line}",
                     where, item.get("reason"))


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _node_with_inline_edges(item: dict[str, Any], source: str, location: str, where: str,
                            col: _Collector) -> None:
    """Split a node mapping into its fields and its inline relations."""
    fields: dict[str, Any] = {}
    node_id = item.get("id")
    relations: list[tuple[str, Any, Any]] = []
    for key, value in item.items():
        if key in schema.EDGE_KINDS or key in schema.ALIAS_COLUMNS:
            kind = schema.ALIAS_COLUMNS.get(key, key)
            relations += [(kind, node_id, t) for t in _as_list(value)]
        elif key in schema.REVERSE_COLUMNS:
            kind = schema.REVERSE_COLUMNS[key]
            relations += [(kind, s, node_id) for s in _as_list(value)]
        else:
            fields[key] = _strip_lines(value)
    if "id" not in fields or fields["id"] in (None, ""):
        col.problem(where, "missing id")
        return
    if isinstance(fields["id"], int):
        fields["id"] = str(fields["id"])
    before = len(col.problems)
    col.add_node(fields, source, location, where)
    if len(col.problems) > before:
        return
    for kind, s, t in relations:
        col.add_edge(kind, s, t, source, location, where)


# ---------------------------------------------------------------------------- CSV

def _kind_for_csv(path: Path, header: Sequence[str]) -> str | None:
    if "kind" in header:
        return None
    stem = path.stem.lower()
    if "project" in stem:
        return "ImprovementProject"
    if "measure" in stem:
        return "Measure"
    return None


def _read_csv(path: Path, text: str, col: _Collector) -> None:
    name = str(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as err:
        col.problem(name, f"malformed CSV: {err}")
        return
    if not rows or not any(c.strip() for c in rows[0]):
        col.problem(name, "empty CSV: expected a header row")
        return
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        col.problem(f"{name} row 1", f"duplicate column(s): {', '.join(dup)}")
        return
    if header == DATA_COLUMNS:
        _read_data_rows(name, rows[1:], col)
        return
    default_kind = _kind_for_csv(path, header)
    if default_kind is None and "kind" not in header:
        col.problem(f"{name} row 1", "cannot tell what this register lists: add a 'kind' "
                    "column, name the file *projects*.csv or *measures*.csv, or use the "
                    "columns measure_id,date,value for measure data")
        return
    for i, row in enumerate(rows[1:], start=2):
        where = f"{name} row {i}"
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            col.problem(where, f"has {len(row)} fields, the header has {len(header)}")
            continue
        item: dict[str, Any] = {}
        for h, v in zip(header, row, strict=True):
            v = v.strip()
            if v == "":
                continue
            if (h in schema.EDGE_KINDS or h in schema.REVERSE_COLUMNS or h in LIST_FIELDS
                    or h in schema.ALIAS_COLUMNS):
                item[h] = [x.strip() for x in v.split(LIST_SEP) if x.strip()]
            else:
                item[h] = v
        item.setdefault("kind", default_kind)
        _node_with_inline_edges(item, name, f"row {i}", where, col)


def _read_data_rows(name: str, rows: list[list[str]], col: _Collector) -> None:
    for i, row in enumerate(rows, start=2):
        where = f"{name} row {i}"
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            col.problem(where, f"has {len(row)} fields, expected measure_id,date,value")
            continue
        mid, d, v = (c.strip() for c in row)
        if not is_valid_id(mid):
            col.problem(where, f"measure_id {mid!r} is not a valid id")
            continue
        try:
            date = dt.date.fromisoformat(d)
        except ValueError:
            col.problem(where, f"date {d!r} is not an ISO date (YYYY-MM-DD)")
            continue
        try:
            value = float(v)
        except ValueError:
            col.problem(where, f"value {v!r} is not a number")
            continue
        if value != value or value in (float("inf"), float("-inf")):
            col.problem(where, f"value {v!r} is not a finite number")
            continue
        col.add_point(mid, date, value, where)


# ---------------------------------------------------------------------------- all

def read_files(paths: Iterable[str | Path], graph: QMSGraph, *, mode: str = "add",
               agent: str | None = None, reason: str | None = None,
               texts: dict[str, str] | None = None, store: Store | None = None) -> ChangeSet:
    """Parse files into one ChangeSet against ``graph``; raise with every problem found.

    ``mode`` is ``add`` (an id already in the graph is an error) or ``upsert`` (nodes that
    exist are replaced, edges that exist are kept). ``texts`` gives file contents directly
    (used by the API for uploads); otherwise the files are read from disk.

    Data points for a measure already stored are merged into its series as read from
    ``store`` (when given) together with its version, and the update carries that version:
    if another writer changes the measure first, applying the ChangeSet raises
    :class:`~qmsgraph.errors.ConflictError` instead of dropping that writer's points
    (:func:`load_files` then reads again and retries).
    """
    if mode not in ("add", "upsert"):
        raise ValueError(f"mode must be 'add' or 'upsert', not {mode!r}")
    col = _Collector(agent, reason)
    for p in paths:
        path = Path(p)
        col.sources.append(str(path))
        try:
            text = texts[str(p)] if texts is not None else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            col.problem(str(path), f"cannot read: {err}")
            continue
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            _read_yaml(path, text, col)
        elif suffix == ".csv":
            _read_csv(path, text, col)
        elif suffix in RDF_SUFFIXES:
            from .rdf import read_rdf_text

            try:
                nodes, edges = read_rdf_text(text, RDF_SUFFIXES[suffix], str(path),
                                             validate=True)
            except ValidationError as err:
                col.problems.extend(err.problems)
                continue
            for n in nodes:
                if n.id in col.nodes:
                    col.problem(str(path), f"duplicate id {n.id!r}: already defined at "
                                           f"{col.nodes[n.id][1]}")
                else:
                    col.nodes[n.id] = (n, f"{path} node {n.id}")
            for e in edges:
                col.edges[e.key] = (e, f"{path} edge {e.source} {e.kind} {e.target}")
        else:
            col.problem(str(path), f"unknown file type {suffix!r}: use .yaml, .csv, "
                        + ", ".join(sorted(RDF_SUFFIXES)))
    _merge_points(col, graph, store)
    _check_edges(col, graph)
    if col.problems:
        raise ValidationError(
            f"{len(col.problems)} problem(s): " + "; ".join(col.problems[:5])
            + (" ..." if len(col.problems) > 5 else ""), problems=col.problems)
    cs = ChangeSet(source=", ".join(col.sources))
    for node, where in col.nodes.values():
        if node.id in graph:
            if mode == "upsert":
                cs.update_nodes.append((node, None, where))
            else:
                old = graph.node(node.id)
                col.problem(where, f"duplicate id {node.id!r}: the store already has "
                                   f"{old.kind} {old.label!r} (load with --update to replace)")
        else:
            cs.add_nodes.append((node, where))
    for edge, where in col.edges.values():
        if mode == "upsert" and graph.has_edge(edge.source, edge.kind, edge.target):
            continue
        cs.add_edges.append((edge, where))
    cs.update_nodes += [(n, version, where) for n, where, version in col.updates.values()]
    if col.problems:
        raise ValidationError(
            f"{len(col.problems)} problem(s): " + "; ".join(col.problems[:5])
            + (" ..." if len(col.problems) > 5 else ""), problems=col.problems)
    return cs


def _check_edges(col: _Collector, graph: QMSGraph) -> None:
    """Check every edge's ends exist and suit its kind, so one run reports everything."""
    def kind_of(nid: str) -> str | None:
        if nid in col.nodes:
            return col.nodes[nid][0].kind
        node = graph.get(nid)
        return node.kind if node else None

    for (s, k, t), (_, where) in col.edges.items():
        sk, tk = kind_of(s), kind_of(t)
        if sk is None or tk is None:
            missing = [f"{end} node {n!r}" for end, n, nk in (("source", s, sk),
                                                               ("target", t, tk)) if nk is None]
            col.problem(where, f"edge {s!r} -{k}-> {t!r}: {' and '.join(missing)} "
                               "does not exist")
        elif not schema.allowed(k, sk, tk):
            e = schema.EDGE_KINDS[k]
            col.problem(where, f"edge {s!r} ({sk}) -{k}-> {t!r} ({tk}) is not allowed: "
                               f"'{k}' goes from {' or '.join(e.domain)} to "
                               f"{' or '.join(e.range)}")


def _merge_points(col: _Collector, graph: QMSGraph, store: Store | None) -> None:
    """Attach data points to their measures (new in this import, or already stored)."""
    for mid, series in col.points.items():
        first_where = next(iter(series.values()))[1]
        version: int | None = None
        if mid in col.nodes:
            node, where = col.nodes[mid]
        elif mid in graph:  # the stored series and its version, read together
            where = first_where
            node, version = (store.node_version(mid) if store is not None
                             else (graph.node(mid), None))
        else:
            col.problem(first_where, f"data for unknown measure {mid!r}")
            continue
        if not isinstance(node, Measure):
            col.problem(first_where, f"data for {mid!r}, which is a {node.kind}, not a Measure")
            continue
        merged = {p.date: p for p in node.data}
        merged.update({d: p for d, (p, _) in series.items()})
        new = node.model_copy(update={"data": sorted(merged.values(), key=lambda p: p.date)})
        if mid in col.nodes:
            col.nodes[mid] = (new, where)
        else:
            # A stored measure gets new data: an update that keeps its provenance.
            col.updates[mid] = (new, first_where, version)


ATTEMPTS = 5  # reads of the store a load makes when other writers keep changing what it merges


def load_files(store: Store, paths: Iterable[str | Path], *, mode: str = "add",
               dry_run: bool = False, agent: str | None = None, reason: str | None = None,
               progress: Progress | None = None, texts: dict[str, str] | None = None
               ) -> ApplyResult:
    """Read files and apply them to ``store`` in one transaction (or only check: dry_run).

    When another writer changes a measure this load adds data to between the read and the
    write (the write conflicts), the files are read again against the new state and applied
    again, up to ``ATTEMPTS`` times; a conflict that stays, or one not caused by another
    write (a duplicate id in ``add`` mode), is raised."""
    paths = list(paths)
    for attempt in range(ATTEMPTS):
        revision = store.revision()
        changes = read_files(paths, store.view(), mode=mode, agent=agent, reason=reason,
                             texts=texts, store=store)
        try:
            return store.apply(changes, dry_run=dry_run, progress=progress)
        except ConflictError:
            if store.revision() == revision or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
