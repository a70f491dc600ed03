"""The ``qmsgraph serve`` and ``qmsgraph keys`` commands (registered by qmsgraph.cli)."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qmsgraph.cli.common import TextOrJson
from qmsgraph.errors import QMSGraphError
from qmsgraph.stores import DEFAULT_STORE

from .keys import ROLES, KeyInfo, KeyStore, Role
from .settings import ENV, Settings

console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[str | None, typer.Option(
    "--store", "-s", help=f"Store: a file path (embedded SQLite) or a bolt:// / neo4j:// URI "
    f"[env {ENV['store']}; default {DEFAULT_STORE}].", show_default=False)]
KeysOpt = Annotated[str | None, typer.Option(
    "--keys", help=f"API keys file [env {ENV['keys']}; default: <store path>.keys for a file "
    "store, qmsgraph-keys.db otherwise].", show_default=False)]


def _fail(message: object) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _settings(**options: object) -> Settings:
    try:
        return Settings.from_env(**options)
    except ValueError as err:
        _fail(err)
        raise  # unreachable


def _keystore(store: str | None, keys: str | None) -> KeyStore:
    s = _settings(store=store, keys=keys)
    try:
        return KeyStore(s.keys_file)
    except QMSGraphError as err:
        _fail(err)
        raise


def serve(
    store: StoreOpt = None,
    host: Annotated[str | None, typer.Option(help=f"Address to listen on [env {ENV['host']}; "
                                             "default 127.0.0.1].", show_default=False)]
    = None,
    port: Annotated[int | None, typer.Option(help=f"Port [env {ENV['port']}; default 8000].",
                                             show_default=False)] = None,
    keys: KeysOpt = None,
    config: Annotated[str | None, typer.Option(
        "--config", help=f"Alignment thresholds (TOML) [env {ENV['config']}].",
        show_default=False)] = None,
    max_body: Annotated[int | None, typer.Option(
        "--max-body", help=f"Largest request body in bytes [env {ENV['max_body']}; default "
        "16 MiB].", show_default=False)] = None,
    lock_timeout: Annotated[float | None, typer.Option(
        "--lock-timeout", help=f"Seconds a write waits for the store's write lock (held by "
        f"another process) before it answers 503 with Retry-After [env {ENV['lock_timeout']}; "
        "default 30].", show_default=False)] = None,
    no_docs: Annotated[bool, typer.Option("--no-docs", help="Do not serve /docs.")] = False,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Worker processes on the one port and the one "
        "store (each opens the store itself; every guarantee of a single server holds).")]
    = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the HTTP API (uvicorn) over a store."""
    import uvicorn

    from qmsgraph.stores import open_store

    from .app import create_app

    s = _settings(store=store, host=host, port=port, keys=keys, config=config,
                  max_body=max_body, lock_timeout=lock_timeout)
    if no_docs:
        s = s.with_(docs=False)
    try:
        st = open_store(s.store, lock_timeout=s.lock_timeout)
    except QMSGraphError as err:
        _fail(err)
        raise
    try:
        app = create_app(st, s)
    except QMSGraphError as err:
        st.close()
        _fail(err)
        raise
    if not len(app.state.qmsgraph.keys):
        err_console.print(f"[yellow]warning:[/] no API keys in {s.keys_file}: every request "
                          "but /health will get 401. Create one with: qmsgraph keys create "
                          "--name NAME --role admin", highlight=False)
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO))
    err_console.print(f"qmsgraph API on http://{s.host}:{s.port} (store {s.store}, keys "
                      f"{s.keys_file}; docs at /docs; {workers} worker(s))", highlight=False)
    if workers > 1:  # each worker builds the app from these settings (app.from_env)
        app.state.qmsgraph.keys.close()
        st.close()
        for name, var in ENV.items():
            value = getattr(s, name if name != "keys" else "keys_file")
            if value is not None:
                os.environ[var] = str(value)
        os.environ["QMSGRAPH_DOCS"] = "1" if s.docs else "0"
        uvicorn.run("qmsgraph.api.app:from_env", factory=True, host=s.host, port=s.port,
                    workers=workers, log_level=log_level)
        return
    try:
        uvicorn.run(app, host=s.host, port=s.port, log_level=log_level)
    finally:
        app.state.qmsgraph.keys.close()
        st.close()


keys_app = typer.Typer(help="Manage API keys (stored hashed; a key is shown once).",
                       no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key.")],
    role: Annotated[Role, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")]
    = "viewer",
    store: StoreOpt = None, keys: KeysOpt = None, fmt: TextOrJson = "text",
) -> None:
    """Create a key and print it once (it cannot be shown again)."""
    ks = _keystore(store, keys)
    try:
        info, key = ks.create(name, role)
    except QMSGraphError as err:
        _fail(err)
        raise
    finally:
        ks.close()
    err_console.print(f"created {info.role} key {info.id} for {info.name!r} in {ks.path}; "
                      "store it now, it is not shown again:", highlight=False)
    if fmt == "json":
        sys.stdout.write(json.dumps({**_key_row(info), "key": key}, indent=2) + "\n")
    else:
        print(key)


def _key_row(k: KeyInfo) -> dict[str, str | None]:
    return {"id": k.id, "name": k.name, "role": k.role, "created": k.created,
            "revoked": k.revoked}


@keys_app.command("list")
def keys_list(store: StoreOpt = None, keys: KeysOpt = None,
              all_: Annotated[bool, typer.Option("--all", help="Include revoked keys.")]
              = False, fmt: TextOrJson = "text") -> None:
    """List keys (never the keys themselves)."""
    ks = _keystore(store, keys)
    try:
        rows = ks.list(include_revoked=all_)
    finally:
        ks.close()
    if fmt == "json":
        sys.stdout.write(json.dumps({"keys_file": str(ks.path),
                                     "keys": [_key_row(k) for k in rows]}, indent=2) + "\n")
        return
    t = Table(title=f"API keys in {ks.path}")
    for col in ("id", "name", "role", "created", "revoked"):
        t.add_column(col)
    for k in rows:
        t.add_row(k.id, k.name, k.role, k.created, k.revoked or "")
    console.print(t)


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="The key's id or name.")],
    store: StoreOpt = None, keys: KeysOpt = None,
) -> None:
    """Revoke a key: it stops working at once."""
    ks = _keystore(store, keys)
    try:
        info = ks.revoke(key)
    except QMSGraphError as err:
        _fail(err)
        raise
    finally:
        ks.close()
    console.print(f"revoked key {info.id} ({info.name!r}, {info.role})", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``keys`` to the qmsgraph command."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
