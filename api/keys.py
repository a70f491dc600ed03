"""API keys: created on the command line or by an admin, stored hashed in a small SQLite file.

A key looks like ``qmsk_<id>_<secret>``: ``id`` (12 hex digits) finds the row, ``secret``
is 32 random bytes from :mod:`secrets` (256 bits). Only the SHA-256 of the whole key is
stored, and it is compared with :func:`hmac.compare_digest`.

Why SHA-256 and not scrypt/PBKDF2: slow hashes protect *low-entropy* secrets (passwords)
against guessing once the hash file leaks. A 256-bit random key cannot be guessed whatever
the hash speed, so a slow KDF would add tens of milliseconds to every request and no
security. (The keys file is still created readable by its owner only.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qmsgraph.errors import ConflictError, NotFoundError, StoreError, ValidationError

Role = Literal["viewer", "planner", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "planner", "admin")
RANK = {r: i for i, r in enumerate(ROLES)}
PREFIX = "qmsk_"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.@\-]{0,99}$")
_KEY_RE = re.compile(r"^qmsk_([0-9a-f]{12})_([A-Za-z0-9_\-]{20,100})$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    role: Role
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """The keys file. Safe for several threads; another process's changes are seen at once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        memory = str(path) == ":memory:"  # for tests: nothing on disk
        try:
            if not memory and not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False, timeout=30)
            self._conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"cannot open the keys file {self.path}: {err}") from None
        self._lock = threading.Lock()
        self._verified: dict[str, KeyInfo] = {}  # digest -> key, while the file is unchanged
        self._seen_version = -1

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @staticmethod
    def _info(row: tuple[str, str, str, str, str | None]) -> KeyInfo:
        return KeyInfo(id=row[0], name=row[1], role=row[2], created=row[3],  # type: ignore[arg-type]
                       revoked=row[4])

    def create(self, name: str, role: str) -> tuple[KeyInfo, str]:
        """A new key: its record and the key itself (shown once; only its hash is kept)."""
        name = name.strip()
        if not NAME_RE.match(name):
            raise ValidationError("a key name is 1-100 letters, digits, spaces or _ . @ - "
                                  "and starts with a letter or digit", field="name")
        if role not in ROLES:
            raise ValidationError(f"role must be one of {', '.join(ROLES)}, not {role!r}",
                                  field="role")
        key_id = secrets.token_hex(6)
        key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        info = KeyInfo(id=key_id, name=name, role=role, created=_now())  # type: ignore[arg-type]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                clash = self._conn.execute(
                    "SELECT id FROM api_keys WHERE name=? AND revoked IS NULL", (name,)
                ).fetchone()
                if clash:
                    raise ConflictError(f"an active key named {name!r} exists (id {clash[0]}): "
                                        "revoke it first or choose another name")
                self._conn.execute("INSERT INTO api_keys VALUES (?,?,?,?,?,NULL)",
                                   (info.id, info.name, info.role, _digest(key), info.created))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return info, key

    def list(self, include_revoked: bool = True) -> list[KeyInfo]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, name, role, created, revoked FROM api_keys ORDER BY created, id"
            ).fetchall()
        return [k for k in map(self._info, rows) if include_revoked or k.active]

    def get(self, key_id: str) -> KeyInfo:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, role, created, revoked FROM api_keys WHERE id=?", (key_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no API key with id {key_id!r}")
        return self._info(row)

    def revoke(self, name_or_id: str) -> KeyInfo:
        """Revoke the active key with this id (or, failing that, this name). The last active
        admin key cannot be revoked (ConflictError): nobody could manage keys after it."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")  # the admin count and the revoke agree
            try:
                rows = self._conn.execute(
                    "SELECT id, name, role, created, revoked FROM api_keys "
                    "WHERE (id=? OR name=?) AND revoked IS NULL ORDER BY id=? DESC",
                    (name_or_id, name_or_id, name_or_id)).fetchall()
                if not rows:
                    raise NotFoundError(f"no active API key with id or name {name_or_id!r}")
                info = self._info(rows[0])
                if info.role == "admin" and self._conn.execute(
                        "SELECT count(*) FROM api_keys WHERE role='admin' AND revoked IS NULL"
                ).fetchone()[0] <= 1:
                    raise ConflictError(f"{info.name!r} ({info.id}) is the last active admin "
                                        "key: create another admin key before revoking it")
                when = _now()
                self._conn.execute("UPDATE api_keys SET revoked=? WHERE id=?",
                                   (when, info.id))
                self._conn.execute("COMMIT")
                self._verified.clear()  # this connection's own writes do not move data_version
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return KeyInfo(info.id, info.name, info.role, info.created, when)

    def verify(self, key: str) -> KeyInfo | None:
        """The active key's record, or None for an unknown, malformed or revoked key.

        Keys verified are remembered (by their SHA-256) until the keys file changes - in
        this process or any other, as SQLite's ``data_version`` tells - so a request costs
        a hash and a look-up, and a revoked key still stops working at once."""
        m = _KEY_RE.match(key)
        if not m:
            return None
        digest = _digest(key)
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._seen_version:
                self._verified.clear()
                self._seen_version = version
            hit = self._verified.get(digest)
            if hit is not None:
                return hit
            row = self._conn.execute(
                "SELECT id, name, role, created, revoked, hash FROM api_keys WHERE id=?",
                (m.group(1),)).fetchone()
        if row is None:
            hmac.compare_digest(digest, digest)  # same work either way
            return None
        if not hmac.compare_digest(digest, row[5]) or row[4] is not None:
            return None
        info = self._info(row[:5])
        with self._lock:
            if self._seen_version == version and len(self._verified) < 10_000:
                self._verified[digest] = info
        return info

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT count(*) FROM api_keys WHERE revoked IS NULL").fetchone()[0]
