"""Loading the same file twice says so once, instead of a duplicate id for every node
'already defined at' the very same line (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore


def test_a_file_given_twice_is_one_clear_problem(tmp_path: Path, mini_yaml: Path) -> None:
    s = SQLiteStore(tmp_path / "s.qmsdb")
    try:
        other = Path(str(mini_yaml.parent / ".." / mini_yaml.parent.name / mini_yaml.name))
        with pytest.raises(ValidationError) as err:
            load_files(s, [mini_yaml, other])
        assert err.value.problems == [
            f"{other}: the same file is given twice (also as {mini_yaml}): give it once"]
        assert s.stats()["nodes"] == 0  # nothing written
    finally:
        s.close()
