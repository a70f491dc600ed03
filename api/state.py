"""What the app holds (store, keys, alignment configuration) and how routes reach it.

The embedded store's :meth:`~qmsgraph.stores.Store.graph` is the live in-memory graph, and
:meth:`~qmsgraph.stores.Store.apply` stages changes on that same graph before it commits or
rolls back. Requests run in a thread pool, so the API takes a readers-writer lock: many
readers at once, or one writer, and a reader never sees a half-applied change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Request

from qmsgraph.alignment import AlignmentConfig
from qmsgraph.stores import Store

from .keys import KeyStore
from .settings import Settings


class RWLock:
    """Many readers or one writer; a waiting writer goes before new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass
class AppState:
    store: Store
    settings: Settings
    keys: KeyStore
    config: AlignmentConfig
    lock: RWLock


def state(request: Request) -> AppState:
    return request.app.state.qmsgraph


def read_store(request: Request) -> Iterator[Store]:
    """A dependency: the store, read-locked for the whole request (for routes of other
    layers, such as the maps, that read the store themselves)."""
    st = state(request)
    with st.lock.read():
        yield st.store
