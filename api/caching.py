"""Conditional GETs, whole-portfolio answers kept per store revision, stable cursors.

* :class:`ETags` (middleware): every successful ``GET`` carries an ``ETag`` - the node's
  version where a route sets one, else a hash of the body - and ``If-None-Match`` with it
  gives ``304 Not Modified`` and no body.
* :class:`Answers`: the audit, matrix, balance and scores are computed and serialised once
  per store revision (and query), then served from memory until the next commit anywhere.
* :func:`page`: a page of a sorted answer after an opaque cursor; the cursor names the last
  item's sort key, so paging never repeats or skips an item, even when the store changes
  between pages (items added or removed meanwhile appear or vanish only in later pages).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qmsgraph.errors import ValidationError

CACHEABLE = 64  # answers kept (route and query), least recently used dropped


def _matches(if_none_match: str, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


class ETags:
    """``ETag`` on every 200 answer to GET, and 304 for a matching ``If-None-Match``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        inm = dict(scope.get("headers") or []).get(b"if-none-match", b"").decode("latin-1")
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                start = message
                return
            if start is None:  # not a 200: pass through
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            etag = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"),
                        None)
            if etag is None:
                etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
                headers.append((b"etag", etag.encode("latin-1")))
            if inm and _matches(inm, etag):
                keep = {b"etag", b"cache-control", b"vary", b"content-location", b"date"}
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(k, v) for k, v in headers if k.lower() in keep]})
                await send({"type": "http.response.body", "body": b""})
                return
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)


class Answers:
    """Serialised answers, one per key, valid for one store revision."""

    def __init__(self, size: int = CACHEABLE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, tuple[Any, bytes]] = OrderedDict()

    def get(self, key: Any, revision: Any, compute: Callable[[], bytes]) -> bytes:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == revision:
                self._items.move_to_end(key)
                return hit[1]
        body = compute()  # outside the lock: two threads may compute the same answer once
        with self._lock:
            self._items[key] = (revision, body)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
        if not isinstance(key, list):
            raise ValueError
        return key
    except ValueError:
        raise ValidationError("cursor is not one this API gave: start again without it",
                              field="cursor") from None


def page(items: Sequence[Any], sort_key: Callable[[Any], tuple[Any, ...]],
         limit: int | None, cursor: str | None) -> tuple[list[Any], str | None]:
    """The items after ``cursor`` in ``sort_key`` order, at most ``limit`` of them, and the
    cursor of the next page (None at the end). Equal keys are told apart by their order."""
    keyed: list[tuple[tuple[Any, ...], Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for item in sorted(items, key=sort_key):
        k = sort_key(item)
        n = seen.get(k, 0)
        seen[k] = n + 1
        keyed.append(((*k, n), item))
    start = 0
    if cursor:
        after = tuple(decode_cursor(cursor))
        import bisect

        try:
            start = bisect.bisect_right([k for k, _ in keyed], after)
        except TypeError:
            raise ValidationError("cursor is not one this API gave: start again without it",
                                  field="cursor") from None
    chosen = keyed[start:] if limit is None else keyed[start:start + limit]
    more = limit is not None and start + limit < len(keyed)
    return [item for _, item in chosen], encode_cursor(chosen[-1][0]) if more else None
