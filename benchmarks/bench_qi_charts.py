"""Time the run / qicharts2 chart engine against the Making Data Count XmR engine on the same
series (both in this process), and the CLI contract per reference case.

    .venv/bin/python benchmarks/bench_qi_charts.py

Prints milliseconds per analysis for each chart type at 30, 300 and 3,000 points, the ratio to
XmR on the same data, and the mean time of one `qmsgraph spc --input ... --format json` call
(in-process, typer's runner) over the 55 reference cases.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from qmsgraph.cli import app
from qmsgraph.spc import analyse
from qmsgraph.spc.attribute import qic
from qmsgraph.spc.qiresults import QI_CHARTS

ROOT = Path(__file__).resolve().parents[1]


def best(f, repeat: int = 5) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        out.append(time.perf_counter() - t)
    return min(out) * 1000


def main() -> None:
    rng = random.Random(1)
    print(f"{'points':>7} {'chart':>5} {'ms':>9} {'x XmR':>7}")
    for n in (30, 300, 3000):
        dates = [date(2000, 1, 1) + timedelta(days=i) for i in range(n)]
        counts = [rng.randint(1, 40) for _ in range(n)]
        denoms = [c + rng.randint(10, 200) for c in counts]
        xmr = best(lambda: analyse(dates, [float(c) for c in counts]))  # noqa: B023
        print(f"{n:>7} {'xmr':>5} {xmr:>9.2f} {1.0:>7.2f}")
        for chart in QI_CHARTS:
            ms = best(lambda: qic(dates, counts, denoms, chart=chart))  # noqa: B023
            print(f"{n:>7} {chart:>5} {ms:>9.2f} {ms / xmr:>7.2f}")
    cases = json.loads((ROOT / "tests/data/qicharts2/qi-cases.json").read_text())["cases"]
    import sys

    sys.path.insert(0, str(ROOT))
    from tests.spc.test_qi_cases import cli_args, write_csv

    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        for c in cases:
            result = runner.invoke(app, cli_args(c, write_csv(c, Path(tmp))))
            assert result.exit_code == 0, result.output
        per = (time.perf_counter() - t) / len(cases) * 1000
    print(f"CLI contract: {per:.1f} ms per case (mean over {len(cases)} cases, in-process)")


if __name__ == "__main__":
    main()
