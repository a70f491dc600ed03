"""Fixtures: the corpus's listener and secret file, and the API fixtures of tests/api."""

from ..api.conftest import admin, app, client, keys, planner, store, viewer  # noqa: F401
from .corpus import bounded_memory, listener, secret_file  # noqa: F401
