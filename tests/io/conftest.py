"""What the register tests share: a store holding the mini model, and the check that a
refused load names its problems and leaves the store (and the file reopened) unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore


@pytest.fixture
def loaded(tmp_path: Path, mini_yaml: Path):
    s = SQLiteStore(tmp_path / "s.qmsdb")
    load_files(s, [mini_yaml])
    yield s
    s.close()


def refused(store: SQLiteStore, paths: list[Path], *expected: str, **kw) -> ValidationError:
    """``load_files`` fails with every ``expected`` text among its problems; nothing changed,
    in this process or for one that opens the store afresh."""
    before = store.graph().copy()
    with pytest.raises(ValidationError) as err:
        load_files(store, paths, **kw)
    text = " | ".join(err.value.problems)
    for e in expected:
        assert e in text, f"{e!r} not in {text!r}"
    assert store.graph() == before
    reopened = SQLiteStore(store.path)
    assert reopened.graph() == before
    reopened.close()
    return err.value
