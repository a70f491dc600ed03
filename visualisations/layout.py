"""A layered (Sugiyama-style) layout computed in Python, so the browser does no physics.

1. Every node goes to a row by its kind (:data:`style.ROWS`): purpose at the top, units at
   the bottom. Empty rows are dropped.
2. Rows wider than ``max_per_row`` nodes wrap onto sub-rows, so a 5,000-node map keeps a
   sensible shape instead of one row 100,000 pixels wide; by default the row width is
   chosen so the map has about the shape of a screen (:func:`per_row_for_screen`), not a
   wide flat band that fit-to-screen shrinks to tiny symbols.
3. Nodes are ordered within their row to reduce crossings: alternate downward and upward
   sweeps sort each row by the barycentre (mean x) of its neighbours in the rows already
   placed; ties keep the previous order, so the result is deterministic.
4. Rows that fit on one line are then spread under their neighbours (each node pulled to the
   mean x of its neighbours, keeping order and a minimum gap).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from qmsgraph import schema
from qmsgraph.graph import QMSGraph

from .style import ROW_OF_KIND, ROWS

DX = 200.0       # horizontal gap between neighbours in a row
DY = 140.0       # vertical gap between rows
SUB_DY = 105.0   # vertical gap between the lines of a wrapped row
SWEEPS = 8


@dataclass
class RowPlan:
    key: str
    title: str
    nodes: list[str]
    y: float
    lines: int


@dataclass
class ColumnPlan:
    title: str
    x: float


@dataclass
class Layout:
    pos: dict[str, tuple[float, float]]
    rows: list[RowPlan] = field(default_factory=list)
    width: float = 0.0
    columns: list[ColumnPlan] = field(default_factory=list)

    def row_of(self, node: str) -> RowPlan | None:
        for r in self.rows:
            if node in r.nodes:
                return r
        return None


ASPECT = 1.25    # width / height of the map area (a laptop screen less side panel, row titles)


def max_per_row_for(n: int) -> int:
    """Wrap rows at about 1.6 x sqrt(n) nodes (at least 24): a map about as wide as tall."""
    return max(24, int(1.6 * math.sqrt(max(n, 1))))


def per_row_for_screen(sizes: list[int], aspect: float = ASPECT) -> int:
    """The row width (nodes) whose layout is closest to the screen's shape: at fit-to-screen
    a map as wide as the screen fills its height too, so it is drawn larger (and more
    labels fit) than a wide flat band of a few long rows."""
    if not sizes:
        return 1
    best, best_err = max(sizes), math.inf
    for per_row in range(4, max(sizes) + 1):
        lines = [max(1, math.ceil(k / per_row)) for k in sizes]
        width = (min(per_row, max(sizes)) - 1) * DX + DX
        height = len(sizes) * DY + sum(x - 1 for x in lines) * SUB_DY
        err = abs(math.log(width / height / aspect))
        if err < best_err - 1e-9:
            best, best_err = per_row, err
    return best


def layered_layout(graph: QMSGraph, nodes: list[str], edges: list[tuple[str, str, str]],
                   *, kinds: dict[str, str] | None = None, max_per_row: int | None = None,
                   ) -> Layout:
    """Fixed x/y for every node (see the module docstring). ``kinds``: the kind to lay out
    nodes that are not in the graph (cluster nodes) or to override a node's kind."""
    if not nodes:
        return Layout(pos={})
    extra = kinds or {}

    def kind_of(n: str) -> str:
        return extra.get(n) or graph.node(n).kind

    kind_order = {k: i for i, k in enumerate(schema.NODE_KINDS)}
    rows: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        rows[ROW_OF_KIND[kind_of(n)]].append(n)
    per_row = max_per_row or min(max_per_row_for(len(nodes)),
                                 per_row_for_screen([len(v) for v in rows.values()]))
    row_ids = sorted(rows)
    for r in row_ids:
        rows[r].sort(key=lambda n: (kind_order[kind_of(n)], n))
    row_index = {n: ri for ri, r in enumerate(row_ids) for n in rows[r]}
    order = [rows[r] for r in row_ids]

    # neighbours with weights: the golden thread and the unit tree count most
    nbrs: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for s, k, t in edges:
        if s == t or s not in row_index or t not in row_index:
            continue
        w = 1.0 if (k in schema.THREAD_EDGES or k == "unitOf") else 0.3
        nbrs[s].append((t, w))
        nbrs[t].append((s, w))

    x: dict[str, float] = {}

    def place(line: list[str]) -> None:
        width = min(len(line), per_row)
        for i, n in enumerate(line):
            col = i % per_row
            x[n] = (col - (width - 1) / 2) * DX

    for line in order:
        place(line)

    def bary(n: str, rows_ok: range | None) -> float | None:
        tot = wsum = 0.0
        for m, w in nbrs.get(n, ()):
            if rows_ok is None or row_index[m] in rows_ok:
                tot += x[m] * w
                wsum += w
        return tot / wsum if wsum else None

    nrows = len(order)
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        seq = range(1, nrows) if down else range(nrows - 2, -1, -1)
        for ri in seq:
            side = range(0, ri) if down else range(ri + 1, nrows)
            line = order[ri]
            keyed = []
            for i, n in enumerate(line):
                b = bary(n, side)
                if b is None:
                    b = bary(n, None)
                keyed.append((x[n] if b is None else b, i, n))
            keyed.sort()
            order[ri] = [n for *_, n in keyed]
            place(order[ri])
        if sweep == 0 and nrows > 1:
            # the top row has nothing above it: order it by what lies below
            keyed = sorted((bary(n, None) if bary(n, None) is not None else x[n], i, n)
                           for i, n in enumerate(order[0]))
            order[0] = [n for *_, n in keyed]
            place(order[0])

    # spread short rows under/over their neighbours, keeping order and the minimum gap
    for _ in range(3):
        for line in order:
            if len(line) >= per_row or len(line) < 1:
                continue
            desired = [bary(n, None) for n in line]
            desired = [x[n] if d is None else d for n, d in zip(line, desired, strict=True)]
            xs: list[float] = []
            for d in desired:
                xs.append(d if not xs else max(d, xs[-1] + DX))
            shift = sum(a - b for a, b in zip(xs, desired, strict=True)) / len(xs)
            for n, v in zip(line, xs, strict=True):
                x[n] = v - shift

    pos: dict[str, tuple[float, float]] = {}
    plans = []
    y = 0.0
    for ri, line in enumerate(order):
        spec = ROWS[row_ids[ri]]
        lines = max(1, math.ceil(len(line) / per_row))
        for i, n in enumerate(line):
            pos[n] = (round(x[n], 1), round(y + (i // per_row) * SUB_DY, 1))
        plans.append(RowPlan(key=spec.key, title=spec.title, nodes=line, y=y, lines=lines))
        y += (lines - 1) * SUB_DY + DY
    xs_all = [p[0] for p in pos.values()]
    return Layout(pos=pos, rows=plans, width=max(xs_all) - min(xs_all))



DRIVER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Measure", "Measures"), ("ImprovementProject", "Aim"),
    ("PrimaryDriver", "Primary drivers"), ("SecondaryDriver", "Secondary drivers"),
    ("ChangeIdea", "Change ideas"), ("PDSACycle", "PDSA cycles"))
COL_DX = 320.0
COL_DY = 95.0


def driver_layout(graph: QMSGraph, nodes: list[str], edges: list[tuple[str, str, str]],
                  root: str | None) -> Layout:
    """A driver diagram left to right: one column per kind (measures, aim, primary and
    secondary drivers, change ideas, PDSA cycles). Each column lists its nodes in the order
    met walking the diagram from the aim, so a driver sits level with what it leads to."""
    col_of = {k: i for i, (k, _) in enumerate(DRIVER_COLUMNS)}
    children: dict[str, list[str]] = defaultdict(list)
    for s, k, t in edges:
        if k in ("drives", "changes", "tests"):
            children[t].append(s)
    order: dict[str, int] = {}

    def walk(n: str) -> None:
        if n in order:
            return
        order[n] = len(order)
        for c in sorted(children.get(n, [])):
            walk(c)

    if root:
        walk(root)
    for n in sorted(nodes):
        walk(n)
    cols: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        cols[col_of.get(graph.node(n).kind, len(DRIVER_COLUMNS) - 1)].append(n)
    used = sorted(cols)
    pos: dict[str, tuple[float, float]] = {}
    tallest = max((len(v) for v in cols.values()), default=1)
    for ci, c in enumerate(used):
        line = sorted(cols[c], key=lambda n: order[n])
        top = -(len(line) - 1) / 2 * COL_DY
        for i, n in enumerate(line):
            pos[n] = (round(ci * COL_DX, 1), round(top + i * COL_DY, 1))
    columns = [ColumnPlan(DRIVER_COLUMNS[c][1], ci * COL_DX) for ci, c in enumerate(used)]
    rows = [RowPlan(key="diagram", title="", nodes=list(nodes),
                    y=-(tallest - 1) / 2 * COL_DY, lines=1)]
    return Layout(pos=pos, rows=rows, width=(len(used) - 1) * COL_DX, columns=columns)
