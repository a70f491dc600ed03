"""The README's first command on a fresh copy of the repository: `bash scripts/demo.sh` makes
its own .venv, installs qmsgraph and builds the example - and tells a newcomer only what the
demo found (no pip or setuptools notes for developers, issue 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".cache", ".git", "artefacts", "node_modules"}


def test_demo_sh_on_a_fresh_copy_speaks_to_a_newcomer(tmp_path: Path) -> None:
    copy = tmp_path / "qmsgraph"
    shutil.copytree(REPO, copy, ignore=lambda d, names: [
        n for n in names if n in SKIP or n.endswith((".qmsdb", ".npz")) or
        n == "qmsgraph-demo" or n == "__pycache__"])
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QMSGRAPH_", "VIRTUAL_ENV", "PIP_"))}
    env["PYTHON"] = sys.executable  # the interpreter this suite runs on (3.11+)
    r = subprocess.run(["bash", "scripts/demo.sh"], cwd=copy, env=env, capture_output=True,
                       text=True, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert (copy / ".venv" / "bin" / "qmsgraph").exists()
    assert (copy / "qmsgraph-demo" / "board.html").exists()
    assert "Live projects" in out and "findings" in out
    for developer_note in ("editable", "DEPRECATION", "setuptools", "pip install",
                           "Traceback"):
        assert developer_note not in out, developer_note
