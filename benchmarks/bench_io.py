# Run:  .venv/bin/python -m benchmarks.bench_io              (10,000 register rows)
#       .venv/bin/python -m benchmarks.bench_io --rows 50000
"""How long registers take to read, by format, for the same content.

One synthetic register of improvement projects and measures (``--rows`` projects, a tenth
as many measures, each project improving one measure) is written as a YAML model file (the
peer: the format the project started with), a UTF-8 CSV, a Windows-1252 ``;`` CSV with UK
dates (read with ``dayfirst``), and an Excel workbook (openpyxl). Each is parsed with
``read_files`` into a ChangeSet (validation included, no store write), median of 3 runs;
ratios are against YAML. Also timed: the real ArchiMetal model (ArchiMate 2.1 exchange
format, tests/data/archimate) and the xlsx and ArchiMate exports of the example
organisation.
"""

from __future__ import annotations

import argparse
import codecs
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    import yaml
    from openpyxl import Workbook

    n_measures = max(1, rows // 10)
    measures = [(f"M{i}", f"Measure {i}", "outcome", "decrease") for i in range(n_measures)]
    projects = [(f"QI-{i}", f"Project {i} – café", "active", "project", "2025-10-01",
                 f"M{i % n_measures}") for i in range(rows)]
    out: dict[str, Path] = {}
    doc = {"nodes": [{"id": m, "kind": "Measure", "label": lab, "measure_type": t,
                      "direction": d} for m, lab, t, d in measures]
           + [{"id": p, "kind": "ImprovementProject", "label": lab, "status": s, "tier": t,
               "start_date": dt, "improves": m} for p, lab, s, t, dt, m in projects]}
    out["yaml"] = folder / "model.yaml"
    out["yaml"].write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    m_csv = "id,label,measure_type,direction\n" + "".join(
        f"{m},{lab},{t},{d}\n" for m, lab, t, d in measures)
    p_csv = "id,label,status,tier,start_date,improves\n" + "".join(
        f"{p},{lab},{s},{t},{dt},{m}\n" for p, lab, s, t, dt, m in projects)
    (folder / "utf8").mkdir()
    (folder / "utf8" / "measures.csv").write_bytes(codecs.BOM_UTF8 + m_csv.encode())
    (folder / "utf8" / "projects.csv").write_bytes(codecs.BOM_UTF8 + p_csv.encode())
    out["csv"] = folder / "utf8"
    (folder / "cp1252").mkdir()
    uk = p_csv.replace(",", ";").replace("2025-10-01", "01/10/2025")
    (folder / "cp1252" / "measures.csv").write_bytes(m_csv.replace(",", ";").encode("cp1252"))
    (folder / "cp1252" / "projects.csv").write_bytes(uk.encode("cp1252"))
    out["csv-cp1252-uk"] = folder / "cp1252"
    wb = Workbook()
    ws = wb.active
    ws.title = "Measure"
    ws.append(["id", "label", "measure_type", "direction"])
    for r in measures:
        ws.append(list(r))
    ws = wb.create_sheet("ImprovementProject")
    ws.append(["id", "label", "status", "tier", "start_date", "improves"])
    import datetime as dt

    for p, lab, s, t, _, m in projects:
        ws.append([p, lab, s, t, dt.datetime(2025, 10, 1), m])
    out["xlsx"] = folder / "model.xlsx"
    wb.save(out["xlsx"])
    return out


def timed(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    args = ap.parse_args()
    from qmsgraph.cli import example_files
    from qmsgraph.graph import QMSGraph
    from qmsgraph.io.archimate_out import to_archimate
    from qmsgraph.io.readers import load_files, read_files
    from qmsgraph.io.xlsx import to_xlsx
    from qmsgraph.stores import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), args.rows)
        results: dict[str, float] = {}
        for name, path in files.items():
            paths = sorted(path.glob("*.csv")) if path.is_dir() else [path]
            kw = {"dayfirst": True} if "uk" in name else {}
            cs = read_files(paths, QMSGraph(), **kw)
            assert len(cs.add_nodes) == args.rows + max(1, args.rows // 10), name
            results[name] = timed(lambda p=paths, k=kw: read_files(p, QMSGraph(), **k))
        print(f"read {args.rows:,} projects + {max(1, args.rows // 10):,} measures "
              "(parse + validate, no store write), median of 3:")
        for name, sec in results.items():
            print(f"  {name:15s} {sec:7.3f} s   {args.rows / sec:9,.0f} rows/s   "
                  f"x{sec / results['yaml']:.2f} of YAML")
        metal = ROOT / "tests" / "data" / "archimate" / "archimetal-2.1.xml"
        from qmsgraph.io.archimate import parse_model

        model = parse_model(metal.read_bytes())
        sec = timed(lambda: read_files([metal], QMSGraph()))
        print(f"  ArchiMetal (ArchiMate {model.version}, {len(model.elements)} elements, "
              f"{len(model.relations)} relationships): {sec:.3f} s")
        s = SQLiteStore(Path(tmp) / "ex.qmsdb")
        load_files(s, example_files())
        g = s.graph()
        s.close()
        n = len(list(g.nodes()))
        print(f"export of the example organisation ({n} nodes): "
              f"xlsx {timed(lambda: to_xlsx(g)):.3f} s, "
              f"archimate {timed(lambda: to_archimate(g)):.3f} s")


if __name__ == "__main__":
    main()
