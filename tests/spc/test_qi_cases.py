"""Every executed qicharts2 0.8.1 case (tests/data/qicharts2/qi-cases.json, or the file named by
QMSGRAPH_QI_CASES, e.g. the held-back acceptance set) reproduced through the CLI contract:

    qmsgraph spc --input FILE --chart C [--freeze K] [--part K,...] [--exclude K,...]
        [--multiply M] [--cl V] [--rules R] [--screen-mr|--no-screen-mr] --format json

Numbers to a relative 1e-9 (absolute 1e-12 near zero), booleans and integers exactly, null for
R's NA. No case is exempted. One case also runs as a real process.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app

HERE = Path(__file__).resolve().parent
CASES_PATH = Path(os.environ.get("QMSGRAPH_QI_CASES")
                  or HERE.parent / "data" / "qicharts2" / "qi-cases.json")
CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))["cases"]
REL, ABS = 1e-9, 1e-12
POINT_FIELDS = {"y": "y", "cl": "cl", "lcl": "lcl", "ucl": "ucl", "lcl.95": "lcl_95",
                "ucl.95": "ucl_95", "sigma.signal": "sigma_signal", "part": "part",
                "baseline": "baseline", "include": "include"}
runner = CliRunner()


def _cell(v: Any) -> str:
    return "NA" if v is None else repr(v) if isinstance(v, float) else str(v)


def write_csv(case: dict[str, Any], folder: Path) -> Path:
    i = case["inputs"]
    cols = [i["x"], i["y"]] + ([i["n"]] if i["n"] is not None else [])
    header = "x,y,n" if i["n"] is not None else "x,y"
    lines = [header] + [",".join(_cell(v) for v in row) for row in zip(*cols, strict=True)]
    path = folder / f"{case['name']}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli_args(case: dict[str, Any], path: Path) -> list[str]:
    o = case["inputs"]["options"]
    args = ["spc", "--input", str(path), "--chart", case["chart"], "--format", "json"]
    if o["freeze"] is not None:
        args += ["--freeze", str(o["freeze"])]
    if o["part"]:
        args += ["--part", ",".join(map(str, o["part"]))]
    if o["exclude"]:
        args += ["--exclude", ",".join(map(str, o["exclude"]))]
    if o["multiply"] != 1:
        args += ["--multiply", repr(float(o["multiply"]))]
    if o["cl"] is not None:
        args += ["--cl", repr(float(o["cl"]))]
    args += ["--rules", o["method"], "--screen-mr" if o["screened_mr"] else "--no-screen-mr"]
    return args


def same(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int) and not isinstance(want, bool) and isinstance(got, int):
        return got == want
    return math.isclose(float(got), float(want), rel_tol=REL, abs_tol=ABS)


def check(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    want, problems = case["expected"], []
    pts = out["points"]
    if len(pts) != len(want["y"]):
        return [f"{len(pts)} points, expected {len(want['y'])}"]
    for rkey, key in POINT_FIELDS.items():
        for k, (g, w) in enumerate(zip((p[key] for p in pts), want[rkey], strict=True)):
            if not same(g, w):
                problems.append(f"point {k + 1} {key}: got {g!r}, expected {w!r}")
    if len(out["parts"]) != len(want["parts"]):
        return problems + [f"{len(out['parts'])} parts, expected {len(want['parts'])}"]
    for gp, wp in zip(out["parts"], want["parts"], strict=True):
        for rkey, w in wp.items():
            g = gp[rkey.replace(".", "_")]
            if g != w or type(g) is not type(w):
                problems.append(f"part {wp['part']} {rkey}: got {g!r}, expected {w!r}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_through_the_cli(case: dict[str, Any], tmp_path: Path) -> None:
    result = runner.invoke(app, cli_args(case, write_csv(case, tmp_path)))
    assert result.exit_code == 0, result.output
    problems = check(case, json.loads(result.stdout))
    assert not problems, f"{case['name']} ({case['note']}):\n  " + "\n  ".join(problems[:20])


def test_the_cases_cover_every_chart_and_option() -> None:
    charts = {c["chart"] for c in CASES}
    assert charts == {"run", "i", "p", "u", "c", "g", "t", "pp", "up"}
    used = {k for c in CASES for k, v in c["inputs"]["options"].items()
            if v not in (None, [], 1, "anhoej", True)}
    assert {"freeze", "part", "exclude", "multiply", "cl", "method", "screened_mr"} <= used


def test_a_case_as_a_real_process(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["inputs"]["options"]["part"]
                and c["inputs"]["n"] is not None and c["inputs"]["x_type"] == "date")
    proc = subprocess.run([sys.executable, "-m", "qmsgraph.cli",
                           *cli_args(case, write_csv(case, tmp_path))],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not check(case, json.loads(proc.stdout))


def test_the_check_catches_a_wrong_number(tmp_path: Path) -> None:
    """The comparison is not vacuous: a 1e-8 change to one limit fails it."""
    case = next(c for c in CASES if c["chart"] == "p")
    out = json.loads(runner.invoke(app, cli_args(case, write_csv(case, tmp_path))).stdout)
    out["points"][3]["ucl"] *= 1 + 1e-8
    assert check(case, out) == [f"point 4 ucl: got {out['points'][3]['ucl']!r}, expected "
                                f"{case['expected']['ucl'][3]!r}"]
