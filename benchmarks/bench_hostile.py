"""Time and peak memory to refuse each file of the hostile corpus (tests/data/hostile).

Each file is parsed by ``qmsgraph.io.readers.parse_files`` in a fresh subprocess (2 GB
address space, 120 s CPU), which prints its wall time and the growth of its peak RSS; the
table shows them with the file's size and the expansion the file asks for.

    .venv/bin/python -m benchmarks.bench_hostile
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HOSTILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "hostile"
CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
from qmsgraph.io.readers import parse_files
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
col = parse_files([sys.argv[1]])
dt = time.perf_counter() - t
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"s": dt, "kb": grown, "problems": col.problems[:1], "nodes": len(col.nodes)}))
"""


def main() -> None:
    print(f"{'file':24} {'bytes':>8} {'seconds':>8} {'peak +MB':>9}  result")
    for path in sorted(HOSTILE.iterdir()):
        r = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                           text=True, timeout=180)
        if r.returncode != 0:
            print(f"{path.name:24} {path.stat().st_size:>8} FAILED rc={r.returncode}: "
                  f"{r.stderr.strip().splitlines()[-1:]}")
            continue
        d = json.loads(r.stdout.strip().splitlines()[-1])
        what = (d["problems"][0].split(": ", 1)[1][:70] if d["problems"]
                else f"accepted, {d['nodes']} nodes")
        print(f"{path.name:24} {path.stat().st_size:>8} {d['s']:>8.3f} {d['kb'] / 1024:>9.1f}"
              f"  {what}")


if __name__ == "__main__":
    main()
