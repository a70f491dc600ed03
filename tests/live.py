"""Real processes for the reliability tests: ``qmsgraph serve`` and ``qmsgraph load`` on one
store, on loopback ports, each stopped at the end (by its own process id)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from qmsgraph.api.keys import KeyStore

BIN = Path(sys.executable).parent / "qmsgraph"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's QMSGRAPH_* settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMSGRAPH_")}
    env.update(extra)
    return env


def make_key(store: Path, name: str, role: str) -> str:
    out = subprocess.run([str(BIN), "keys", "create", "--store", str(store), "--name", name,
                          "--role", role], capture_output=True, text=True, timeout=60,
                         check=True)
    key = out.stdout.strip()
    assert key.startswith("qmsk_") and "store it now" in out.stderr
    return key


def make_keys(store: Path) -> dict[str, str]:
    """An admin key made on the command line (as an operator would), viewer and planner
    keys made directly."""
    keys = {"admin": make_key(store, "admin-live", "admin")}
    ks = KeyStore(f"{store}.keys")
    keys.update({role: ks.create(f"{role}-live", role)[1] for role in ("viewer", "planner")})
    ks.close()
    return keys


class Server:
    """A running ``qmsgraph serve``."""

    def __init__(self, url: str, keys: dict[str, str], log: Path,
                 proc: subprocess.Popen[bytes], store: Path) -> None:
        self.url = url
        self.keys = keys
        self.log = log
        self.proc = proc
        self.store = store

    def client(self, role: str = "admin", timeout: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout,
                            headers={"Authorization": f"Bearer {self.keys[role]}"})


@contextmanager
def serve(store: Path, keys: dict[str, str], log: Path, *, args: tuple[str, ...] = (),
          env: dict[str, str] | None = None, ready_timeout: float = 60,
          cwd: Path | None = None, preexec_fn: Callable[[], None] | None = None
          ) -> Iterator[Server]:
    """``qmsgraph serve`` on a free loopback port, ready when /health answers
    (``preexec_fn``: e.g. resource limits set in the child before it starts)."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--store", str(store), "--port",
                                 str(port), "--log-level", "warning", *args],
                                stdout=out, stderr=subprocess.STDOUT,
                                env=env or clean_env(), cwd=cwd,
                                preexec_fn=preexec_fn)  # noqa: PLW1509
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text()}")
            time.sleep(0.1)
        yield Server(url, keys, log, proc, store)
    finally:
        stop(proc)


@contextmanager
def servers(n: int, store: Path, keys: dict[str, str], folder: Path, **kw: object
            ) -> Iterator[list[Server]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve(store, keys, folder / f"server{i}.log", **kw))
               for i in range(n)]


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> int:
    """SIGTERM, then SIGKILL if it does not stop in time; the exit code (negative: killed
    by the test)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
            return -9
    return proc.returncode
