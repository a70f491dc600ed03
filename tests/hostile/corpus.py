"""The hostile-input corpus (``tests/data/hostile/``) and what each file must give.

Every file is either refused with a clear error that names it (and the line, row or field
where there is one) or accepted with a safe result. ``{{URL}}`` and ``{{FILE}}`` in the
JSON-LD files are replaced by a loopback listener that must never be contacted and a
local file whose secret must never come back.
"""

from __future__ import annotations

import json
import resource
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
SECRET = "SECRET-CONTEXT-VALUE-7f3a"
MEMORY_LIMIT = 2 * 1024**3  # address space of a CLI or server process under test
CPU_SECONDS = 120

# file -> words its error must contain (the file's name is always checked too)
REFUSED: dict[str, list[str]] = {
    "alias_bomb.yaml": ["alias_bomb.yaml:1", "aliases expand"],
    "recursive_alias.yaml": ["recursive_alias.yaml:2", "recursive"],
    "deep.yaml": ["deep.yaml:5", "levels deep"],
    "deep.jsonld": ["levels deep"],
    "entity_bomb.rdf": ["entity expansion"],
    "external_entity.rdf": ["external entity", "not allowed"],
    "remote_context.jsonld": ["context", "not fetched"],
    "file_context.jsonld": ["context", "not fetched"],
    "scoped_context.jsonld": ["context", "not fetched"],
    "import_context.jsonld": ["@import", "not fetched"],
    "nul_label.yaml": ["nul_label.yaml:2", "label", "NUL"],
    "nul_label.ttl": ["label", "NUL"],
    "escape_label.yaml": ["escape_label.yaml:2", "label", "ESC"],
    "escape_projects.csv": ["escape_projects.csv row 2", "label", "ESC"],
    "rtl_label.yaml": ["rtl_label.yaml:2", "label", "right-to-left override"],
    "impossible_date.yaml": ["impossible_date.yaml:5", "2024-02-30", "out of range"],
    "iri_space.ttl": ["Ward 7", "space"],
}
# file -> nodes it adds (accepted: its content is harmless once written out safely)
ACCEPTED: dict[str, int] = {"formula_projects.csv": 4}


def content(name: str, url: str, secret_file: Path) -> str:
    text = (HOSTILE / name).read_text(encoding="utf-8")
    return text.replace("{{URL}}", url).replace("{{FILE}}", secret_file.as_uri())


def materialise(folder: Path, url: str, secret_file: Path) -> dict[str, Path]:
    """Every corpus file written to ``folder``, placeholders filled in."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in [*REFUSED, *ACCEPTED]:
        p = folder / name
        p.write_text(content(name, url, secret_file), encoding="utf-8", newline="")
        out[name] = p
    return out


def limit_resources() -> None:
    """preexec_fn for a child process: bounded memory and CPU, so a bomb fails the test
    (MemoryError, SIGXCPU) instead of taking the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


class Listener:
    """A loopback TCP port that answers nobody: a fetch would hang on it, and any
    connection attempt is seen by :meth:`contacted`."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def contacted(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def bounded_memory() -> Iterator[None]:
    """For in-process tests: this process may grow by at most 1 GB of address space while
    the test runs (a MemoryError then, not a machine brought to its knees)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as fh:
        vm = next(int(ln.split()[1]) * 1024 for ln in fh if ln.startswith("VmSize:"))
    limit = vm + 1024**3
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("secret") / "context.jsonld"
    p.write_text(json.dumps({"@context": {"secret": SECRET, "@vocab": f"file:///{SECRET}/"}}))
    return p
