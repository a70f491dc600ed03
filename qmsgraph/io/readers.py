"""Read YAML model files, CSV and Excel registers, ArchiMate models and RDF into one
validated ChangeSet.

Nothing here writes: :func:`read_files` turns files into a :class:`~qmsgraph.store.ChangeSet`
with a location on every item, and the store applies it in one transaction. Problems are
collected across all files so that one run reports them all.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from .. import schema
from ..errors import ConflictError, ValidationError
from ..graph import QMSGraph
from ..model import (
    NODE_CLASSES,
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
from . import safe
from .names import source_name

if TYPE_CHECKING:
    from .mapping import ColumnMapping

RDF_SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt",
                ".rdf": "xml", ".xml": "xml"}


class _Collector:
    """Gathers nodes, edges, data points and problems from many files."""

    def __init__(self, agent: str | None, reason: str | None) -> None:
        self.nodes: dict[str, tuple[Node, str]] = {}
        self.edges: dict[tuple[str, str, str], tuple[Edge, str]] = {}
        self.points: dict[str, dict[dt.date, tuple[DataPoint, str]]] = {}
        self.problems: list[str] = []
        self.notes: list[str] = []  # what was read but not mapped (ArchiMate), for people
        self.agent = agent
        self.reason = reason
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.sources: list[str] = []
        # stored measures with new data: the merged node, where, and the version merged with
        self.updates: dict[str, tuple[Node, str, int | None]] = {}
        self.names: dict[str, str] = {}  # path as read -> name in provenance (io/names.py)

    def prov(self, source: str, location: str | None, reason: str | None = None
             ) -> Provenance:
        return Provenance(source=self.names.get(source, source), location=location,
                          agent=self.agent, at=self.now,
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

    def add_point(self, measure_id: str, date: dt.date, value: float, where: str,
                  **extra: Any) -> None:
        try:
            point = DataPoint(date=date, value=value, **extra)
        except PydanticValidationError as err:
            self.problem(where, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                          for e in err.errors()))
            return
        series = self.points.setdefault(measure_id, {})
        if date in series:
            self.problem(where, f"duplicate data point for measure {measure_id!r} on "
                                f"{date.isoformat()} (first at {series[date][1]})")
            return
        series[date] = (point, where)


# ---------------------------------------------------------------------------- YAML

class _Refused(yaml.composer.ComposerError):
    """A YAML file over a limit (depth, alias expansion, recursion): refused, not parsed."""


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with bounded nesting depth and alias expansion
    (:mod:`qmsgraph.io.safe`): a "billion laughs" of nested aliases, a recursive alias or
    a 50,000-deep list is refused (a ``yaml.MarkedYAMLError``) before anything is built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases = True
        self._depth += 1
        try:
            if self._depth > safe.MAX_DEPTH:
                raise _Refused(
                    None, None, f"nested more than {safe.MAX_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()
        if node is not None and self._aliases:
            _check_expansion(node)
        return node


class _LineLoader(BoundedLoader):
    """A bounded safe loader that records the line of every mapping as ``__line__``."""


def load_yaml(path: Path) -> Any:
    """A small YAML document from a file (a proposal, a settings file), size, depth and
    aliases bounded; errors are ValidationErrors naming the file and line."""
    text = safe.read_text(path)
    try:
        return yaml.load(text, Loader=BoundedLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ValidationError(f"cannot read YAML: {err.problem or err}", location=where) \
            from None
    except (yaml.YAMLError, ValueError) as err:
        raise ValidationError(f"cannot read YAML: {err}", location=str(path)) from None


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it by more than ``YAML_ALIAS_NODES`` nodes,
    or that contains itself (a recursive alias). Sizes are counted on the composed graph,
    each shared node once, so the check is as cheap as the file is small."""
    size: dict[int, int] = {}
    distinct = 0
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            continue
        if key in size:
            continue
        if key in on_path:
            raise _Refused(
                None, None, "an alias refers to a node that contains it (a recursive "
                "structure)", node.start_mark)
        distinct += 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)
    expanded = size[id(root)]
    if expanded - distinct > safe.YAML_ALIAS_NODES:
        raise _Refused(
            None, None, f"aliases expand this document from {distinct:,} to {expanded:,} "
            f"nodes; at most {safe.YAML_ALIAS_NODES:,} may come from aliases",
            root.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as err:  # an impossible date (2024-02-30), a 5,000-digit number
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} cannot be read: {err}" if isinstance(node.value, str)
            else str(err), node.start_mark) from None


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = _construct(loader, value_node)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> list[Any]:
    return [_construct(loader, child) for child in node.value]


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


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
        what = "refused" if isinstance(err, _Refused) else "malformed YAML"
        col.problem(line, f"{what}: {err.problem or err}")
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
    kind = fields.get("kind")
    if isinstance(kind, str) and kind in NODE_CLASSES:
        from .fields import column_names, unknown_column_message

        allowed = column_names(kind)
        extra = [k for k in fields if k not in allowed and k != "data"]
        for k in extra:
            col.problem(where, unknown_column_message(str(k), kind)
                        .replace("unknown column", "unknown field"))
        if extra:
            return
    if isinstance(fields["id"], int):
        fields["id"] = str(fields["id"])
    before = len(col.problems)
    col.add_node(fields, source, location, where)
    if len(col.problems) > before:
        return
    for kind, s, t in relations:
        col.add_edge(kind, s, t, source, location, where)


# ---------------------------------------------------------------------------- all

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _as_text(path: Path, data: str | bytes, col: _Collector) -> str | None:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        col.problem(str(path), f"cannot read: not UTF-8 text ({err})")
        return None


def _read_one(path: Path, data: str | bytes, col: _Collector, opts: object) -> None:
    """Dispatch one file on its suffix (and, for .xml, on its root element)."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        from .csvfile import read_csv

        read_csv(path, data, col, opts)  # type: ignore[arg-type]
        return
    if suffix in XLSX_SUFFIXES:
        from .xlsx import read_xlsx

        if isinstance(data, str):
            col.problem(str(path), "an Excel workbook must be sent as bytes, not text")
            return
        read_xlsx(path, data, col, opts)  # type: ignore[arg-type]
        return
    if suffix == ".xls":
        col.problem(str(path), "old Excel .xls files are not read: save it as .xlsx")
        return
    text = _as_text(path, data, col)
    if text is None:
        return
    if suffix in (".yaml", ".yml"):
        _read_yaml(path, text, col)
    elif suffix == ".xml" and "opengroup.org/xsd/archimate" in text[:4000]:
        from .archimate import read_archimate

        read_archimate(path, data, col)
    elif suffix in RDF_SUFFIXES:
        from .rdf import read_rdf_text

        try:
            nodes, edges = read_rdf_text(text, RDF_SUFFIXES[suffix], str(path),
                                         validate=True)
        except ValidationError as err:
            col.problems.extend(err.problems)
            return
        for n in nodes:
            if n.id in col.nodes:
                col.problem(str(path), f"duplicate id {n.id!r}: already defined at "
                                       f"{col.nodes[n.id][1]}")
            else:
                col.nodes[n.id] = (n, f"{path} node {n.id}")
        for e in edges:
            col.edges[e.key] = (e, f"{path} edge {e.source} {e.kind} {e.target}")
    else:
        col.problem(str(path), f"unknown file type {suffix!r}: use .yaml, .csv, .xlsx, "
                    "ArchiMate exchange .xml, " + ", ".join(sorted(RDF_SUFFIXES)))


def parse_files(paths: Iterable[str | Path], *, agent: str | None = None,
                reason: str | None = None, texts: dict[str, str | bytes] | None = None,
                encoding: str | None = None, dayfirst: bool = False,
                mapping: ColumnMapping | None = None,
                source_names: Iterable[str] | None = None) -> ParsedFiles:
    """Read and parse files without looking at any store (so no lock is needed while a
    large or hostile file is parsed). Problems are kept, not raised: :func:`changes_for`
    reports them with those the graph reveals.

    ``texts`` gives file contents directly (used by the API for uploads); otherwise the
    files are read from disk, within the size limit. ``encoding`` forces the encoding of CSV
    files (otherwise: BOM, UTF-8, then Windows-1252); ``dayfirst`` reads ``01/10/2025`` as
    1 October 2025 (otherwise it is an error). ``mapping`` renames and converts the columns
    of every CSV and Excel file (:mod:`qmsgraph.io.mapping`). ``source_names`` (one per
    path) name the files in provenance instead of ``io.names.source_name``. What was read
    but not mapped (ArchiMate content outside the ontology) is in the result's ``notes``.
    """
    from .tabular import ReadOptions

    col = _Collector(agent, reason)
    opts = ReadOptions(dayfirst=dayfirst, encoding=encoding, mapping=mapping)
    paths = list(paths)
    given = list(source_names) if source_names is not None else None
    if given is not None and len(given) != len(paths):
        raise ValidationError(f"{len(given)} source name(s) for {len(paths)} file(s): give "
                              "one per file", field="source_name")
    seen: dict[str, str] = {}
    for i, p in enumerate(paths):
        path = Path(p)
        same = str(path.resolve()) if texts is None else str(p)
        if same in seen:  # not "already defined at" the very same line, for every node
            col.problem(str(path), f"the same file is given twice (also as {seen[same]}): "
                                   "give it once")
            continue
        seen[same] = str(path)
        try:
            if texts is not None:
                data = texts[str(p)]
                safe.check_size(str(path), len(data))
            else:
                data = safe.read_bytes(path)
        except ValidationError as err:
            col.problems.extend(err.problems)
            continue
        col.names[str(path)] = given[i] if given is not None else source_name(path, data)
        col.sources.append(col.names[str(path)])
        _read_one(path, data, col, opts)
    return col


ParsedFiles = _Collector
"""What :func:`parse_files` found: nodes, edges, data points, notes and problems, by file."""


def changes_for(parsed: ParsedFiles, graph: QMSGraph, *, mode: str = "add",
                store: Store | None = None) -> ChangeSet:
    """The ChangeSet that applies ``parsed`` to ``graph``; raise with every problem found.

    ``mode`` is ``add`` (an id already in the graph is an error) or ``upsert`` (nodes that
    exist are replaced, edges that exist are kept). ``parsed`` is left as it was.

    Data points for a measure already stored are merged into its series as read from
    ``store`` (when given) together with its version, and the update carries that version:
    if another writer changes the measure first, applying the ChangeSet raises
    :class:`~qmsgraph.errors.ConflictError` instead of dropping that writer's points
    (:func:`apply_parsed` then reads again and retries)."""
    if mode not in ("add", "upsert"):
        raise ValueError(f"mode must be 'add' or 'upsert', not {mode!r}")
    col = copy.copy(parsed)
    col.nodes, col.updates, col.problems = dict(col.nodes), {}, list(col.problems)
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


def read_files(paths: Iterable[str | Path], graph: QMSGraph, *, mode: str = "add",
               agent: str | None = None, reason: str | None = None,
               texts: dict[str, str | bytes] | None = None, encoding: str | None = None,
               dayfirst: bool = False, notes: list[str] | None = None,
               mapping: ColumnMapping | None = None,
               source_names: Iterable[str] | None = None,
               store: Store | None = None) -> ChangeSet:
    """Parse files into one ChangeSet against ``graph``; raise with every problem found
    (:func:`parse_files`, then :func:`changes_for` with ``store``; the other options are
    parse_files')."""
    if mode not in ("add", "upsert"):
        raise ValueError(f"mode must be 'add' or 'upsert', not {mode!r}")
    parsed = parse_files(paths, agent=agent, reason=reason, texts=texts, encoding=encoding,
                         dayfirst=dayfirst, mapping=mapping, source_names=source_names)
    if notes is not None:
        notes.extend(parsed.notes)
    return changes_for(parsed, graph, mode=mode, store=store)


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
               progress: Progress | None = None, encoding: str | None = None,
               dayfirst: bool = False, notes: list[str] | None = None,
               mapping: ColumnMapping | None = None,
               source_names: Iterable[str] | None = None) -> ApplyResult:
    """Read files and apply them to ``store`` in one transaction (or only check: dry_run)."""
    parsed = parse_files(paths, agent=agent, reason=reason, encoding=encoding,
                         dayfirst=dayfirst, mapping=mapping, source_names=source_names)
    if notes is not None:
        notes.extend(parsed.notes)
    return apply_parsed(store, parsed, mode=mode, dry_run=dry_run, progress=progress)


def apply_parsed(store: Store, parsed: ParsedFiles, *, mode: str = "add",
                 dry_run: bool = False, progress: Progress | None = None) -> ApplyResult:
    """Apply what :func:`parse_files` read to ``store`` in one transaction (or only check).

    When another writer changes a measure this load adds data to between the read and the
    write (the write conflicts), the changes are worked out again against the new state and
    applied again, up to ``ATTEMPTS`` times; a conflict that stays, or one not caused by
    another write (a duplicate id in ``add`` mode), is raised."""
    for attempt in range(ATTEMPTS):
        revision = store.revision()
        changes = changes_for(parsed, store.view(), mode=mode, store=store)
        try:
            return store.apply(changes, dry_run=dry_run, progress=progress)
        except ConflictError:
            if store.revision() == revision or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
