"""The offline path for a first national load: CSV files in the header format of
``neo4j-admin database import full`` (Neo4j's bulk importer, which writes the store files
directly, far faster than any transactional load), holding exactly what a load through the
driver writes (same labels, properties, types and relationship types; see the package
docstring), with the command that imports them.

    qmsgraph push --offline DIR --from national.qmsdb      # writes DIR/*.csv and DIR/import.sh

One node file per kind (``nodes-<Kind>.csv``; the columns differ by kind) and one
relationship file per edge kind (``rels-<kind>.csv``). Dates are ``:date``, the provenance
time ``:datetime``, lists are arrays joined by a delimiter chosen so that no value contains
it. Text may hold newlines and quotes (``--multiline-fields=true``; quotes doubled). Every
node gets version 1, as a first load through the driver gives. The uniqueness constraint
and indexes are created by the store when it first connects to the imported database.
"""

from __future__ import annotations

import csv
import math
import shlex
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import StoreError
from .mapping import DATE_ATTRS, PROV_FIELDS, label, labels_of, node_props, rel_type

if TYPE_CHECKING:
    from ...model import Edge, Node

DELIMITERS = ";|^~\x1f"
TYPES = {"prov_at": "datetime", "data_last": "date", "data_dates": "date[]",
         "data_values": "double[]", "data_denominators": "double[]",
         "data_rebases": "string[]", **{a: "date" for a in DATE_ATTRS}}


def _type(name: str, values: list[Any]) -> str:
    if name in TYPES:
        return TYPES[name]
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "long"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in present):
        return "double"
    if any(isinstance(v, list) for v in present):
        return "string[]"
    return "string"


def _cell(v: Any, typ: str, delim: str) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return delim.join("NaN" if isinstance(x, float) and math.isnan(x) else str(x)
                          for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return str(v)


def _delimiter(rows: Iterable[dict[str, Any]]) -> str:
    """An array delimiter that no list element contains."""
    used: set[str] = set()
    for p in rows:
        for v in p.values():
            if isinstance(v, list):
                for x in v:
                    used.update(c for c in DELIMITERS if c in str(x))
    for c in DELIMITERS:
        if c not in used:
            return c
    raise StoreError("every array delimiter the importer could use occurs in a list value")


def write_import_csv(nodes: Iterable[Node], edges: Iterable[Edge], folder: str | Path,
                     database: str = "neo4j") -> dict[str, Any]:
    """Write the import files into ``folder`` (created); returns counts, the files and the
    ``neo4j-admin`` command (also written to ``folder/import.sh``)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        by_kind[n.kind].append(node_props(n, 1))
    by_type: dict[str, list[list[Any]]] = defaultdict(list)
    for e in edges:
        p = e.provenance
        by_type[e.kind].append([e.source, e.target, *[
            (getattr(p, f).isoformat() if f == "at" and getattr(p, f) is not None
             else getattr(p, f)) for f in PROV_FIELDS]])
    delim = _delimiter(p for rows in by_kind.values() for p in rows)
    files: dict[str, list[str]] = {"nodes": [], "relationships": []}
    n_nodes = n_edges = 0
    for kind in sorted(by_kind):
        label(kind)  # only ontology kinds
        rows = by_kind[kind]
        cols = sorted({k for p in rows for k in p} - {"id"})
        types = {c: _type(c, [p.get(c) for p in rows]) for c in cols}
        lab = delim.join(x.strip("`") for x in labels_of(kind).split(":") if x)
        path = out / f"nodes-{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id:ID", ":LABEL"]
                       + [c if types[c] == "string" else f"{c}:{types[c]}" for c in cols])
            for p in rows:
                w.writerow([p["id"], lab] + [_cell(p.get(c), types[c], delim) for c in cols])
        files["nodes"].append(path.name)
        n_nodes += len(rows)
    prov_cols = [f"prov_{f}" if f != "at" else "prov_at:datetime" for f in PROV_FIELDS]
    for kind in sorted(by_type):
        rel_type(kind)  # only ontology edge kinds
        path = out / f"rels-{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow([":START_ID", ":END_ID", ":TYPE", *prov_cols])
            for s, t, *pv in by_type[kind]:
                w.writerow([s, t, kind, *["" if v is None else str(v) for v in pv]])
        files["relationships"].append(path.name)
        n_edges += len(by_type[kind])
    args = ["neo4j-admin", "database", "import", "full", database, "--overwrite-destination",
            "--multiline-fields=true", f"--array-delimiter={delim}"]
    args += [f"--nodes={f}" for f in files["nodes"]]
    args += [f"--relationships={f}" for f in files["relationships"]]
    command = shlex.join(args)
    (out / "import.sh").write_text(
        "#!/bin/sh\n# Run in this folder on the (stopped) Neo4j server, then start it.\n"
        f"cd \"$(dirname \"$0\")\" && exec {command} \"$@\"\n", encoding="utf-8")
    return {"nodes": n_nodes, "relationships": n_edges, "files": files, "delimiter": delim,
            "command": command, "args": args[1:]}
