"""What the app holds (store, keys, alignment configuration) and how routes reach it.

Reads need no lock here: a store answers every question from a consistent snapshot and is
safe for many threads (the embedded store publishes an immutable core per commit; see
docs/architecture.md). A write is checked against the store's version in the same
transaction that commits it (If-Match, duplicate ids and edges), so the API takes no
readers-writer lock either - it had one, and a reader holding it in one worker thread while
its endpoint waited for another deadlocked the server (issue 11).

Writes go through :class:`Writes`: they queue in the event loop, where a waiting write holds
no thread, and at most a few run at once, so writes waiting for the store's write lock (held,
perhaps, by a long load in another process) never take the threads readers need.
"""

from __future__ import annotations

import functools
import math
import random
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Request

from qmsgraph.alignment import AlignmentConfig
from qmsgraph.errors import StoreBusyError
from qmsgraph.stores import Store

from .caching import Answers
from .keys import KeyStore
from .settings import Settings

T = TypeVar("T")


class Writes:
    """At most ``threads`` writes at a time on worker threads; the others wait in the event
    loop, each for at most ``wait`` seconds, then get 503 (Retry-After)."""

    def __init__(self, threads: int = 4, wait: float = 30.0) -> None:
        self.threads = threads
        self.wait = wait
        # Read-modify-write of one node is done under that node's lock (striped: 64 locks),
        # so this process's writers to one node take turns instead of beating each other's
        # version check; writers in other processes are still caught by the store's check.
        self._node_locks = [threading.Lock() for _ in range(64)]
        # one gate per event loop (tests run several TestClients, each with its own loop)
        self._gate: RunVar[anyio.Semaphore] = RunVar(f"qmsgraph-writes-{id(self)}")

    def _semaphore(self) -> anyio.Semaphore:
        try:
            return self._gate.get()
        except LookupError:
            gate = anyio.Semaphore(self.threads)
            self._gate.set(gate)
            return gate

    def node_lock(self, node_id: str) -> threading.Lock:
        """The lock held (on a worker thread) while one node is read, rebuilt and written."""
        return self._node_locks[zlib.crc32(node_id.encode()) % len(self._node_locks)]

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        gate = self._semaphore()
        with anyio.move_on_after(self.wait) as waited:
            await gate.acquire()
        if waited.cancelled_caught:
            raise StoreBusyError(f"too many writes are waiting for the store (more than "
                                 f"{self.wait:g} s); nothing was written, try again shortly",
                                 retry_after=max(1, min(30, math.ceil(self.wait))))
        try:
            return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
        finally:
            gate.release()


def backoff(attempt: int) -> None:
    """Sleep before retrying a write another process got in before (jittered, < 0.2 s)."""
    time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 4)))  # noqa: S311


async def read_inline(st: AppState, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` - a short read - on the event loop when the store is embedded (its
    reads never wait for a lock), else on a worker thread (a server store's read is a
    network round trip)."""
    if getattr(st.store, "reads_never_wait", False):
        return fn(*args)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args))


@dataclass
class AppState:
    store: Store
    settings: Settings
    keys: KeyStore
    config: AlignmentConfig
    writes: Writes
    answers: Answers = field(default_factory=Answers)


def state(request: Request) -> AppState:
    return request.app.state.qmsgraph


def read_store(request: Request) -> Store:
    """A dependency: the store (for routes of other layers, such as the maps, that read the
    store themselves). It holds nothing across the request."""
    return state(request).store
