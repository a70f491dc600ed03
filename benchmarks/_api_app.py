"""The API app of ``bench_api``: ``create_app`` over a store, plus two bare FastAPI routes
in the same app, served by uvicorn (``python -m benchmarks._api_app STORE PORT WORKERS``)."""

from __future__ import annotations

import os
import sys
from typing import Any


def factory() -> Any:
    from qmsgraph.api.app import create_app
    from qmsgraph.api.settings import Settings
    from qmsgraph.stores import open_store

    path = os.environ["QMSGRAPH_BENCH_STORE"]
    app = create_app(open_store(path), Settings(store=path))

    @app.get("/bench/hello", include_in_schema=False)
    async def hello() -> dict[str, int]:
        return {"ok": 1}

    @app.get("/bench/hello-sync", include_in_schema=False)
    def hello_sync() -> dict[str, int]:
        return {"ok": 1}

    return app


def main() -> None:
    import uvicorn

    store, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.environ["QMSGRAPH_BENCH_STORE"] = store
    uvicorn.run("benchmarks._api_app:factory", factory=True, host="127.0.0.1", port=port,
                workers=workers, log_level="warning")


if __name__ == "__main__":
    main()
