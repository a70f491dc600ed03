"""Server settings: command-line options first, then environment variables, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from qmsgraph.stores import DEFAULT_STORE

DEFAULT_MAX_BODY = 16 * 1024 * 1024
DEFAULT_KEYS_FILE = "qmsgraph-keys.db"
SERVER_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

ENV = {
    "store": "QMSGRAPH_STORE",
    "host": "QMSGRAPH_HOST",
    "port": "QMSGRAPH_PORT",
    "keys": "QMSGRAPH_KEYS",
    "config": "QMSGRAPH_CONFIG",
    "max_body": "QMSGRAPH_MAX_BODY",
    "lock_timeout": "QMSGRAPH_LOCK_TIMEOUT",
}


def is_server_store(url: str) -> bool:
    return url.split("://", 1)[0] in SERVER_SCHEMES


def default_keys_file(store: str) -> str:
    """``<store path>.keys`` for a file store; ``qmsgraph-keys.db`` for a server store."""
    if is_server_store(store):
        return DEFAULT_KEYS_FILE
    path = store[len("sqlite://"):] if store.startswith("sqlite://") else store
    return path + ".keys"


@dataclass(frozen=True)
class Settings:
    """How the server runs. ``keys`` None means the default next to the store."""

    store: str = DEFAULT_STORE
    host: str = "127.0.0.1"
    port: int = 8000
    keys: str | None = None
    config: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    lock_timeout: float | None = None  # None: the store's default (30 s)
    docs: bool = field(default=True, compare=False)

    @property
    def keys_file(self) -> str:
        return self.keys or default_keys_file(self.store)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **options: object) -> Settings:
        """Settings from ``options`` (those not None), else the environment, else defaults."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            if options.get(f.name) is not None:
                values[f.name] = options[f.name]
            elif f.name in ENV and env.get(ENV[f.name]):
                values[f.name] = env[ENV[f.name]]
        for name in ("port", "max_body"):
            if name in values:
                try:
                    values[name] = int(values[name])  # type: ignore[call-overload]
                except ValueError:
                    raise ValueError(f"{ENV[name]} / --{name.replace('_', '-')} must be an "
                                     f"integer, not {values[name]!r}") from None
        if "lock_timeout" in values:
            try:
                values["lock_timeout"] = float(values["lock_timeout"])  # type: ignore[arg-type]
            except ValueError:
                raise ValueError(f"{ENV['lock_timeout']} / --lock-timeout must be a number "
                                 f"of seconds, not {values['lock_timeout']!r}") from None
        s = cls(**values)  # type: ignore[arg-type]
        if not 0 < s.port < 65536:
            raise ValueError(f"port must be 1-65535, not {s.port}")
        if s.max_body < 1:
            raise ValueError(f"max body size must be positive, not {s.max_body}")
        if s.lock_timeout is not None and not 0 <= s.lock_timeout <= 3600:
            raise ValueError(f"the lock timeout must be 0-3600 seconds, not {s.lock_timeout}")
        return s

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
