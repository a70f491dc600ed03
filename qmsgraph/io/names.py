"""How provenance names a loaded file: as it was given, never by the loading machine's paths.

A relative path stays as given (it is relative to where the load ran). An absolute path
inside the working directory becomes relative to it; any other absolute path becomes the
file's name and a hash of its content (``northvale.yaml@sha256:1a2b3c4d5e6f``), which
names the same file on every machine. ``qmsgraph load --source-name`` overrides both.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath


def source_name(path: str | PurePath, text: str | bytes, *, cwd: Path | None = None) -> str:
    p = PurePath(path)
    if not p.is_absolute():
        return p.as_posix()
    base = (cwd or Path.cwd()).resolve()
    try:
        return Path(p).resolve().relative_to(base).as_posix()
    except ValueError:
        raw = text.encode("utf-8") if isinstance(text, str) else text
        digest = hashlib.sha256(raw).hexdigest()[:12]
        return f"{p.name}@sha256:{digest}"
