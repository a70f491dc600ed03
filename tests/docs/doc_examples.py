"""Find and run the shell, Python and TOML examples of the project's markdown documents.

A document is run as a reader would run it, top to bottom, in a working folder set up as
the README leaves the repository after ``bash scripts/demo.sh``: ``examples/`` (the shipped
files), the demo store ``qmsgraph-demo.qmsdb`` and its ``qmsgraph-demo/`` folder, with
``qmsgraph`` from ``.venv/bin`` first on ``PATH``. Nothing else is set up: a document that
needs ``QMSGRAPH_STORE`` must export it itself.

- ``sh``/``bash``/``shell`` blocks run with ``bash -euo pipefail`` and ``set -a``: a failing
  command fails the example. Variables a block sets (``KEY=...``, ``export ...``) are kept
  for the blocks after it in the same document, as in one terminal.
- ``curl`` is run with ``--fail-with-body``: an HTTP error (a 412 in a walk-through, a 404
  for an id the example organisation does not have) fails the example.
- A ``qmsgraph serve`` line starts that server in the background on a free port (the
  document's port, 8000 by default, is mapped to it in every later block), waits until its
  ``/health`` answers and leaves it running for the rest of the document.
- ``python`` blocks run one by one with the project's Python, in the same folder.
- ``toml`` blocks are alignment configurations: they must load (``load_config``).
- ``<!-- doc-test: skip (reason) -->`` on the line before a block skips it; the reason is
  reported. Other fences (yaml, csv, json, text, cypher) are formats, not examples.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SHELL = {"sh", "bash", "shell", "console"}
RUN = SHELL | {"python", "toml"}
SKIP = re.compile(r"<!--\s*doc-test:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->")
FENCE = re.compile(r"^(?P<fence>```+)\s*(?P<lang>[\w+-]*)")
ADDRESS = re.compile(r"\b(127\.0\.0\.1|localhost):(\d+)\b")


NOT_DOCS = {"tests", "build", "dist", "artefacts", "node_modules", "target"}


def documents() -> list[Path]:
    """Every markdown document of the project (README.md, docs/, examples/, ontology/, ...),
    not the tests' data notes: a new document is covered without a change here."""
    found = [REPO / "README.md"]
    for top in sorted(REPO.iterdir()):
        if top.is_dir() and not top.name.startswith(".") and top.name not in NOT_DOCS \
                and not top.name.endswith(".egg-info"):
            found += sorted(p for p in top.rglob("*.md")
                            if not NOT_DOCS & set(p.relative_to(REPO).parts))
    return found


@dataclass
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    skip: str | None = None  # the reason, when marked

    @property
    def where(self) -> str:
        doc = self.doc.relative_to(REPO) if self.doc.is_relative_to(REPO) else self.doc
        return f"{doc}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.lang in RUN


def blocks(doc: Path) -> list[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m["fence"], i
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        prev = next((x for x in reversed(lines[:start]) if x.strip()), "")
        marker = SKIP.search(prev)
        out.append(Block(doc, start + 1, m["lang"].lower(), "\n".join(lines[start + 1:j]),
                         marker["reason"].strip() if marker else None))
        i = j + 1
    return out


def logical_lines(text: str) -> list[str]:
    """Shell lines with their ``\\`` continuations joined."""
    out: list[str] = []
    buf = ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        out.append(buf + line)
        buf = ""
    if buf:
        out.append(buf)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Failure(Exception):
    where: str
    what: str
    output: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}\n{self.output[-3000:]}"


@dataclass
class Session:
    """One document's terminal: a working folder, the variables set so far, its servers."""

    cwd: Path
    env: dict[str, str]
    state: Path
    ports: dict[int, int] = field(default_factory=dict)
    servers: list[subprocess.Popen] = field(default_factory=list)
    ran: int = 0

    @classmethod
    def start(cls, cwd: Path, bin_dir: Path) -> Session:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QMSGRAPH_")}
        env["PATH"] = f"{bin_dir}{os.pathsep}{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
        env["COLUMNS"] = "120"
        state = cwd / ".doc-test-state.sh"
        state.write_text("", encoding="utf-8")
        return cls(cwd=cwd, env=env, state=state)

    def close(self) -> None:
        for p in self.servers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def _ports(self, text: str) -> str:
        return ADDRESS.sub(lambda m: f"{m[1]}:{self.ports.get(int(m[2]), int(m[2]))}", text)

    def run(self, block: Block) -> None:
        if block.lang in SHELL:
            self._shell(block)
        elif block.lang == "python":
            self._python(block)
        elif block.lang == "toml":
            self._toml(block)
        self.ran += 1

    def _shell(self, block: Block) -> None:
        segment: list[str] = []
        for line in logical_lines(block.text):
            if re.match(r"\s*qmsgraph\s+serve\b", line):
                self._bash(block, segment)
                segment = []
                self._serve(block, line)
            else:
                segment.append(line)
        self._bash(block, segment)

    def _bash(self, block: Block, lines: list[str]) -> None:
        if not any(x.strip() and not x.strip().startswith("#") for x in lines):
            return
        script = (f"set -a\nsource {self.state}\nset -euo pipefail\n"
                  + self._ports("\n".join(lines))
                  + f"\nset +e\nexport -p > {self.state}\n")
        r = subprocess.run(["bash", "-c", script], cwd=self.cwd, env=self.env,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise Failure(block.where, f"exit status {r.returncode} running:\n"
                          + "\n".join(lines), f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")

    def _serve(self, block: Block, line: str) -> None:
        command = line.split("#", 1)[0].strip()
        m = re.search(r"--port[ =](\d+)", command)
        port = _free_port()
        if m:
            self.ports[int(m[1])] = port
            command = command.replace(m[0], f"--port {port}")
        else:
            self.ports[int(self._env_value("QMSGRAPH_PORT") or 8000)] = port
            command += f" --port {port}"
        log = self.cwd / f".serve-{port}.log"
        with log.open("w") as out:
            p = subprocess.Popen(["bash", "-c", f"set -a; source {self.state}; exec {command}"],
                                 cwd=self.cwd, env=self.env, stdout=out, stderr=out,
                                 start_new_session=True)
        self.servers.append(p)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise Failure(block.where, f"server stopped: {line}", log.read_text())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise Failure(block.where, f"server never answered /health: {line}", log.read_text())

    def _env_value(self, name: str) -> str | None:
        m = re.search(rf'^declare -x {name}="([^"]*)"', self.state.read_text(), re.M)
        return m[1] if m else None

    def _python(self, block: Block) -> None:
        script = self.cwd / f".doc-example-{block.line}.py"
        script.write_text(self._ports(block.text), encoding="utf-8")
        r = subprocess.run([sys.executable, str(script)], cwd=self.cwd, env=self.env,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise Failure(block.where, "the Python example failed", r.stdout + r.stderr)

    def _toml(self, block: Block) -> None:
        from qmsgraph.alignment import load_config

        path = self.cwd / f".doc-example-{block.line}.toml"
        path.write_text(block.text, encoding="utf-8")
        try:
            load_config(path)
        except Exception as err:  # noqa: BLE001 - any error is the document's failure
            raise Failure(block.where, "the configuration does not load", str(err)) from err


def curl_wrapper(bin_dir: Path) -> bool:
    """A ``curl`` first on PATH that fails on an HTTP error; False if there is no curl."""
    real = shutil.which("curl")
    if real is None:
        return False
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "curl"
    wrapper.write_text(f'#!/bin/sh\nexec {real} --silent --show-error --fail-with-body "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    return True
