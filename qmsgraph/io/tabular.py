"""Registers as tables: the rows of a CSV file or an Excel sheet, turned into nodes, edges
and measure data for the one transaction of a load.

A table is one of three things, told by its header:

* a **node register**: ``id``, ``label``, fields of the kind and relation columns; the
  kind comes from a ``kind`` column, the sheet name (Excel) or the file name;
* an **edge list**: ``source``, ``kind``, ``target`` and optionally ``reason``;
* **measure data**: ``measure_id``, ``date``, ``value``, optionally ``denominator`` and
  ``rebase``.

Cells are checked here, so that an error names the file, sheet, row and column: dates are
ISO (``2025-10-01``), or day-first UK dates (``01/10/2025``) when the caller says so
(``dayfirst``; a slashed date is never guessed), or real dates from Excel; named values
(status, measure type ...) are matched without regard to case.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from .. import schema
from ..model import NODE_CLASSES, is_valid_id
from . import fields

if TYPE_CHECKING:
    from .mapping import ColumnMapping, ColumnSpec
    from .readers import _Collector

__all__ = ["ReadOptions", "read_table", "kind_for_name", "parse_date", "column_letter"]

LIST_SEP = ";"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?: 00:00(?::00)?)?$")


@dataclass(frozen=True)
class ReadOptions:
    """How to read cells: ``dayfirst`` accepts ``01/10/2025`` as 1 October 2025;
    ``mapping`` renames and converts the columns of a foreign register."""

    dayfirst: bool = False
    encoding: str | None = None
    mapping: ColumnMapping | None = None


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names columns)."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


def parse_date(value: Any, dayfirst: bool) -> dt.date:
    """A date from a cell; raises ValueError with a message for the user."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError(f"{value.isoformat(sep=' ')} has a time of day; give a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = _ISO.match(text)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return _make_date(text, y, mo, d)
    m = _SLASHED.match(text)
    if m:
        a, b, y = (int(x) for x in m.groups())
        if not dayfirst:
            raise ValueError(f"'{text}' is not an ISO date (YYYY-MM-DD); if it is a "
                             "day-first UK date, load with --dayfirst (never guessed)")
        return _make_date(text, y, b, a)
    raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD"
                     + (" or DD/MM/YYYY" if dayfirst else ""))


def _make_date(text: str, y: int, mo: int, d: int) -> dt.date:
    try:
        return dt.date(y, mo, d)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a real date ({err})") from None


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        f = float(value)
    else:
        try:
            f = float(str(value).strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a number") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"'{value}' is not a finite number")
    return f


def _text(value: Any) -> str:
    if isinstance(value, str):
        v = value.strip()
        # A cell neutralised against formula injection by an export: '=..., '+..., '-...
        return v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@") else v
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


_KINDS = {_key(k): k for k in NODE_CLASSES}


def kind_for_name(name: str) -> str | None:
    """A node kind from a sheet or file name: ``StrategicGoal``, ``Strategic goals``,
    ``Teams``; ``*project*``, ``*measure*`` (not measure data), ``*goal*`` or
    ``*priorit*`` (strategic goals), ``people``."""
    k = _key(name)
    for cand in (k, k[:-1] if k.endswith("s") else k, k[:-2] if k.endswith("es") else k):
        if cand in _KINDS:
            return _KINDS[cand]
    if "project" in k:
        return "ImprovementProject"
    if "measure" in k and "data" not in k:
        return "Measure"
    if "goal" in k or "priorit" in k:
        return "StrategicGoal"
    if k in ("people", "staff"):
        return "Person"
    return None


def _named(value: str, allowed: tuple[str, ...]) -> str:
    for a in allowed:
        if value.lower() == a.lower():
            return a
    raise ValueError(f"'{value}' is not one of {', '.join(allowed)}")


def read_table(header: Sequence[Any], rows: Iterable[tuple[int, Sequence[Any]]], *,
               source: str, where: str, col: _Collector, opts: ReadOptions,
               kind_hint: str | None, letters: bool) -> None:
    """Feed one table (header, then (row number, cells) pairs) into the collector.

    ``where`` names the table in errors (``projects.csv`` or ``model.xlsx sheet Goals``);
    ``letters`` names columns as Excel does (``column D (deadline)``).
    """
    raw = [_text(h) if h is not None else "" for h in header]
    names = [fields.canonical_header(h) if h else "" for h in raw]
    mapping = opts.mapping
    specs: dict[int, ColumnSpec] = {}
    if mapping is not None:
        names, specs, ok = _mapped_header(raw, mapping, where, col, letters)
        if not ok:
            return
        kind_hint = mapping.kind or kind_hint
        opts = replace(opts, dayfirst=opts.dayfirst or mapping.dayfirst)

    def colname(i: int) -> str:
        if i in specs:
            return (f"column {column_letter(i)} ({raw[i]} -> {names[i]})" if letters
                    else f"column '{raw[i]}' ({names[i]})")
        return (f"column {column_letter(i)} ({names[i] or raw[i]})" if letters
                else f"column '{names[i] or raw[i]}'")

    if specs:
        rows = _mapped_rows(rows, specs, where, col, colname)

    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if not n:
            continue
        if n in seen:
            col.problem(f"{where} row 1", f"duplicate column '{n}' ({colname(seen[n])} and "
                                          f"{colname(i)})")
            return
        seen[n] = i
    present = set(seen)
    if present >= {"source", "kind", "target"} and present <= set(fields.EDGE_COLUMNS):
        _edge_rows(names, rows, source, where, col, colname)
        return
    if present >= set(fields.DATA_COLUMNS) and present <= {*fields.DATA_COLUMNS,
                                                            *fields.DATA_EXTRA_COLUMNS}:
        _data_rows(names, rows, where, col, opts, colname)
        return
    shown = [names[i] if i in specs else h for i, h in enumerate(raw)]  # for messages
    if "kind" not in present and kind_hint is None:
        col.problem(f"{where} row 1", "cannot tell what this register lists: add a 'kind' "
                    "column, name the sheet or file after a kind (e.g. StrategicGoal, "
                    "*projects*, *measures*), use source,kind,target for relations, or "
                    "measure_id,date,value for measure data")
        return
    if "id" not in present:
        col.problem(f"{where} row 1", "no 'id' column (found: "
                    f"{', '.join(n for n in raw if n) or 'an empty header row'})")
        return
    if kind_hint is not None and "kind" not in present:
        bad = [i for i, n in enumerate(names) if n and n not in _accepted(kind_hint)]
        if bad:
            for i in bad:
                col.problem(f"{where} row 1 {colname(i)}",
                            fields.unknown_column_message(shown[i], kind_hint))
            return
    reported: set[tuple[str, str]] = set()  # an unknown column is named once per kind
    for rownum, cells in rows:
        if not any(c is not None and _text(c) != "" for c in cells):
            continue
        _node_row(names, shown, cells, rownum, source, where, col, opts, kind_hint, colname,
                  reported)


def _mapped_header(raw: list[str], mapping: ColumnMapping, where: str, col: _Collector,
                   letters: bool) -> tuple[list[str], dict[int, ColumnSpec], bool]:
    names: list[str] = []
    specs: dict[int, ColumnSpec] = {}
    ok = True
    for i, h in enumerate(raw):
        spec = mapping.spec(h) if h else None
        if spec is False:
            place = f"column {column_letter(i)} ({h})" if letters else f"column '{h}'"
            col.problem(f"{where} row 1 {place}", f"'{h}' is not in the mapping "
                        f"{mapping.source}: map it under 'columns' or list it under 'ignore'")
            ok = False
            names.append("")
        elif spec is None:
            names.append("")
        else:
            names.append(fields.canonical_header(spec.field))
            specs[i] = spec
    return names, specs, ok


def _mapped_rows(rows: Iterable[tuple[int, Sequence[Any]]], specs: dict[int, ColumnSpec],
                 where: str, col: _Collector, colname: Any
                 ) -> Iterator[tuple[int, Sequence[Any]]]:
    for rownum, cells in rows:
        out = list(cells)
        ok = True
        for i, spec in specs.items():
            if i < len(out):
                try:
                    out[i] = spec.convert(out[i])
                except ValueError as err:
                    col.problem(f"{where} row {rownum} {colname(i)}", str(err))
                    ok = False
        if ok:
            yield rownum, out


@cache
def _accepted(kind: str) -> frozenset[str]:
    out = set(fields.column_names(kind))
    out.update(c.relation for c in fields.columns(kind) if c.relation and not c.incoming)
    return frozenset(out)


@cache
def _by_name(kind: str) -> dict[str, fields.Column]:
    return {c.name: c for c in fields.columns(kind)}


def _node_row(names: list[str], raw: list[str], cells: Sequence[Any], rownum: int,
              source: str, where: str, col: _Collector, opts: ReadOptions,
              kind_hint: str | None, colname: Any, reported: set[tuple[str, str]]) -> None:
    from .readers import _node_with_inline_edges

    here = f"{where} row {rownum}"
    if len(cells) > len(names) and any(c not in (None, "") for c in cells[len(names):]):
        col.problem(here, f"has {len(cells)} fields, the header has {len(names)}")
        return
    values: dict[str, Any] = {}
    where_of: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and i < len(cells):
            v = cells[i]
            if v is not None and (not isinstance(v, str) or v.strip()):
                values[n] = v
                where_of[n] = i
    kind = kind_hint
    if "kind" in values:
        k = _text(values.pop("kind"))
        kind = k if k in NODE_CLASSES else _KINDS.get(_key(k))
        if kind is None:
            col.problem(f"{here} {colname(where_of['kind'])}",
                        f"unknown node kind '{k}'; known kinds: {', '.join(NODE_CLASSES)}")
            return
    assert kind is not None
    accepted = _accepted(kind)
    by_col = _by_name(kind)
    item: dict[str, Any] = {"kind": kind}
    ok = True
    for n, v in values.items():
        i = where_of[n]
        if n not in accepted:
            if (n, kind) not in reported:
                reported.add((n, kind))
                col.problem(f"{here} {colname(i)}",
                            fields.unknown_column_message(raw[i], kind)
                            + " (named once; every such row is refused)")
            ok = False
            continue
        try:
            item[n] = _convert(n, v, by_col.get(n), opts)
        except ValueError as err:
            col.problem(f"{here} {colname(i)}", str(err))
            ok = False
    if not ok:
        return
    _node_with_inline_edges(item, source, f"row {rownum}", here, col)


def _convert(name: str, value: Any, c: fields.Column | None, opts: ReadOptions) -> Any:
    if c is None or c.relation:  # an edge kind written by its own name, or a relation
        return [x.strip() for x in _text(value).split(LIST_SEP) if x.strip()]
    if c.multi:
        parts = [x.strip() for x in _text(value).split(LIST_SEP) if x.strip()]
        return [_named(p, c.allowed) if c.allowed else p for p in parts]
    if c.allowed:
        return _named(_text(value), c.allowed)
    if c.type == "date":
        return parse_date(value, opts.dayfirst)
    if c.type == "number":
        return _number(value)
    return _text(value)


def _edge_rows(names: list[str], rows: Iterable[tuple[int, Sequence[Any]]], source: str,
               where: str, col: _Collector, colname: Any) -> None:
    idx = {n: i for i, n in enumerate(names) if n}
    for rownum, cells in rows:
        vals = {n: _text(cells[i]) if i < len(cells) and cells[i] is not None else ""
                for n, i in idx.items()}
        if not any(vals.values()):
            continue
        here = f"{where} row {rownum}"
        missing = [n for n in ("source", "kind", "target") if not vals[n]]
        if missing:
            col.problem(f"{here} {colname(idx[missing[0]])}", f"missing {missing[0]}")
            continue
        kind = vals["kind"]
        if kind not in schema.EDGE_KINDS:
            col.problem(f"{here} {colname(idx['kind'])}", f"unknown edge kind '{kind}'; "
                        f"known: {', '.join(schema.EDGE_KINDS)}")
            continue
        col.add_edge(kind, vals["source"], vals["target"], source, f"row {rownum}", here,
                     vals.get("reason") or None)


def _data_rows(names: list[str], rows: Iterable[tuple[int, Sequence[Any]]], where: str,
               col: _Collector, opts: ReadOptions, colname: Any) -> None:
    idx = {n: i for i, n in enumerate(names) if n}
    for rownum, cells in rows:
        if not any(c is not None and _text(c) != "" for c in cells):
            continue
        here = f"{where} row {rownum}"
        if len(cells) > len(names) and any(c not in (None, "") for c in cells[len(names):]):
            expected = ",".join(n for n in names if n)
            col.problem(here, f"has {len(cells)} fields, expected {expected}")
            continue
        get = {n: cells[i] if i < len(cells) else None for n, i in idx.items()}
        mid = _text(get["measure_id"]) if get["measure_id"] is not None else ""
        if not is_valid_id(mid):
            col.problem(f"{here} {colname(idx['measure_id'])}",
                        f"measure_id '{mid}' is not a valid id")
            continue
        try:
            date = parse_date(get["date"] if get["date"] is not None else "", opts.dayfirst)
        except ValueError as err:
            col.problem(f"{here} {colname(idx['date'])}", f"date {err}")
            continue
        try:
            value = _number(get["value"] if get["value"] is not None else "")
        except ValueError as err:
            col.problem(f"{here} {colname(idx['value'])}", f"value {err}")
            continue
        extra: dict[str, Any] = {}
        for name in fields.DATA_EXTRA_COLUMNS:
            cell = get.get(name)
            if cell is None or _text(cell) == "":
                continue
            if name == "denominator":
                try:
                    extra[name] = _number(cell)
                except ValueError as err:
                    col.problem(f"{here} {colname(idx[name])}", f"denominator {err}")
                    break
            else:
                extra[name] = _text(cell)
        else:
            col.add_point(mid, date, value, here, **extra)
