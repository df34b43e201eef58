"""Drawing studio cards off the event loop: a small worker pool, a timeout, a bounded cache.

Cards are drawn by `campaign.cards.card.render_full`, the engine behind `campaign card`. Work
runs in `workers` threads; at most `queue` renders wait for one, and a render that takes longer
than `timeout` seconds is answered with an error (its thread finishes in the background and its
result is cached). Identical requests (a preview typed, then downloaded) are served from a
cache of at most `cache_bytes`.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from campaign.serve.inputs import CardRequest
from campaign.serve.options import StudioOptions


class Busy(Exception):
    """Too many renders are waiting: try again shortly."""


@dataclass(frozen=True, slots=True)
class CardImage:
    data: bytes
    alt: str
    width: int
    height: int
    fmt: str
    warnings: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return "image/jpeg" if self.fmt == "jpeg" else "image/png"


class Renderer:
    def __init__(self, options: StudioOptions, *, queue: int = 64,
                 cache_bytes: int = 32_000_000) -> None:
        self.options = options
        self.timeout = options.render_timeout
        self._pool = ThreadPoolExecutor(max_workers=max(1, options.workers),
                                        thread_name_prefix="campaign-card")
        self._slots = threading.BoundedSemaphore(max(1, options.workers) + queue)
        self._cache: OrderedDict[tuple[object, ...], CardImage] = OrderedDict()
        self._cache_size = 0
        self._cache_max = cache_bytes
        self._lock = threading.Lock()

    def draw(self, req: CardRequest) -> CardImage:
        """Render one card now, in this thread (cached)."""
        key = req.key()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        from campaign.cards.card import render_full

        choice = self.options.theme(req.theme)
        assert choice is not None  # checked by parse_card_request
        r = render_full(
            req.text, speaker=req.speaker, role=req.role if req.speaker else None,
            theme=choice.theme, size=req.size, language=req.language,
            source_line=self.options.source_line, footer=self.options.footer, fmt=req.fmt,
            budget=self.options.budget, highlight_id=req.highlight_id,
            base_dir=self.options.base_dir, alt=req.alt, alt_limit=self.options.alt_limit,
            quoted=req.quoted,
        )
        image = CardImage(r.data, r.alt, r.width, r.height, req.fmt, r.warnings)
        with self._lock:
            if key not in self._cache and len(image.data) <= self._cache_max // 4:
                self._cache[key] = image
                self._cache_size += len(image.data)
                while self._cache_size > self._cache_max:
                    _, old = self._cache.popitem(last=False)
                    self._cache_size -= len(old.data)
        return image

    async def render(self, req: CardRequest) -> CardImage:
        """Render in the pool; raises Busy when the queue is full, TimeoutError when slow."""
        if not self._slots.acquire(blocking=False):
            raise Busy()
        try:
            future = self._pool.submit(self.draw, req)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
