"""``qmsgraph serve`` and ``qmsgraph keys``: options, environment, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from qmsgraph.api.keys import KeyStore
from qmsgraph.api.settings import DEFAULT_MAX_BODY, Settings, default_keys_file
from qmsgraph.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("STORE", "HOST", "PORT", "KEYS", "CONFIG", "MAX_BODY", "LOCK_TIMEOUT"):
        monkeypatch.delenv(f"QMSGRAPH_{name}", raising=False)


def test_settings_defaults_options_and_environment():
    s = Settings.from_env({})
    assert (s.store, s.host, s.port, s.max_body) == ("qmsgraph.qmsdb", "127.0.0.1", 8000,
                                                      DEFAULT_MAX_BODY)
    assert s.keys_file == "qmsgraph.qmsdb.keys"
    env = {"QMSGRAPH_STORE": "bolt://db:7687", "QMSGRAPH_PORT": "9000",
           "QMSGRAPH_HOST": "0.0.0.0", "QMSGRAPH_MAX_BODY": "1000",  # noqa: S104
           "QMSGRAPH_CONFIG": "a.toml"}
    s = Settings.from_env(env)
    assert (s.port, s.host, s.max_body, s.config) == (9000, "0.0.0.0", 1000, "a.toml")  # noqa: S104
    assert s.keys_file == "qmsgraph-keys.db"
    assert Settings.from_env({**env, "QMSGRAPH_KEYS": "/k.db"}).keys_file == "/k.db"
    assert Settings.from_env(env, port=7000, store="x.qmsdb").port == 7000
    assert Settings.from_env(env, store="x.qmsdb").keys_file == "x.qmsdb.keys"
    assert default_keys_file("sqlite://a/b.qmsdb") == "a/b.qmsdb.keys"
    with pytest.raises(ValueError, match="QMSGRAPH_PORT"):
        Settings.from_env({"QMSGRAPH_PORT": "eighty"})
    assert Settings.from_env({}).lock_timeout is None
    assert Settings.from_env({"QMSGRAPH_LOCK_TIMEOUT": "2.5"}).lock_timeout == 2.5
    assert Settings.from_env({"QMSGRAPH_LOCK_TIMEOUT": "2.5"}, lock_timeout=7).lock_timeout == 7
    with pytest.raises(ValueError, match="QMSGRAPH_LOCK_TIMEOUT"):
        Settings.from_env({"QMSGRAPH_LOCK_TIMEOUT": "soon"})
    with pytest.raises(ValueError):
        Settings.from_env({}, port=70000)


def test_keys_create_list_revoke(tmp_path: Path):
    store = str(tmp_path / "s.qmsdb")
    r = runner.invoke(app, ["keys", "create", "--store", store, "--name", "alice",
                            "--role", "planner"])
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    assert key.startswith("qmsk_")
    ks = KeyStore(store + ".keys")
    assert ks.verify(key).name == "alice"
    ks.close()
    r = runner.invoke(app, ["keys", "list", "--store", store])
    assert r.exit_code == 0 and "alice" in r.output and "planner" in r.output
    assert key not in r.output
    again = runner.invoke(app, ["keys", "create", "--store", store, "--name", "alice"])
    assert again.exit_code == 1 and "exists" in again.output
    bad = runner.invoke(app, ["keys", "create", "--store", store, "--name", "bob",
                              "--role", "root"])
    assert bad.exit_code == 2 and "'viewer', 'planner', 'admin'" in bad.output  # usage
    r = runner.invoke(app, ["keys", "revoke", "alice", "--store", store])
    assert r.exit_code == 0 and "revoked" in r.output
    assert runner.invoke(app, ["keys", "revoke", "alice", "--store", store]).exit_code == 1
    r = runner.invoke(app, ["keys", "list", "--store", store])
    assert "alice" not in r.output
    assert "alice" in runner.invoke(app, ["keys", "list", "--store", store, "--all"]).output


def test_keys_file_from_option_and_environment(tmp_path: Path, monkeypatch):
    explicit = tmp_path / "team.keys"
    r = runner.invoke(app, ["keys", "create", "--keys", str(explicit), "--name", "a"])
    assert r.exit_code == 0 and explicit.exists()
    monkeypatch.setenv("QMSGRAPH_KEYS", str(tmp_path / "env.keys"))
    assert runner.invoke(app, ["keys", "create", "--name", "b"]).exit_code == 0
    assert (tmp_path / "env.keys").exists()


def test_serve_builds_the_app_from_options_and_env(tmp_path: Path, monkeypatch):
    seen = {}

    def fake_run(asgi, host, port, log_level):
        seen.update(app=asgi, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    store = tmp_path / "srv.qmsdb"
    monkeypatch.setenv("QMSGRAPH_PORT", "8123")
    monkeypatch.setenv("QMSGRAPH_MAX_BODY", "4096")
    r = runner.invoke(app, ["serve", "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert "no API keys" in r.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    state = seen["app"].state.qmsgraph
    assert state.settings.max_body == 4096 and state.settings.keys_file == f"{store}.keys"
    r = runner.invoke(app, ["serve", "--store", str(store), "--port", "9001", "--host",
                            "localhost", "--no-docs"])
    assert r.exit_code == 0 and seen["port"] == 9001 and seen["host"] == "localhost"
    assert not any(getattr(rt, "path", "") == "/docs" for rt in seen["app"].routes)


def test_serve_reports_bad_settings(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    r = runner.invoke(app, ["serve", "--store", str(tmp_path / "s.qmsdb"), "--max-body", "0"])
    assert r.exit_code == 1 and "max body" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[alignment]\nmax_active_goals = 'many'\n")
    r = runner.invoke(app, ["serve", "--store", str(tmp_path / "s.qmsdb"), "--config",
                            str(bad)])
    assert r.exit_code == 1 and "configuration" in r.output
