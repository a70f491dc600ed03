"""``python -m qmsgraph.cli``: the same as the ``qmsgraph`` command."""

from . import app

app()
