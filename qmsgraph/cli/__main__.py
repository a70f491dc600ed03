"""``python -m qmsgraph.cli``: the same as the ``qmsgraph`` command."""

from .main import app

app()
