"""Token counts without a tokenizer: UTF-8 bytes per prompt token, learned from what servers report.

Real tokenizers fetch their vocabulary at first use, which Tactful may not do, and every model
has its own. So a prompt's size is estimated as ``bytes / ratio`` plus a few tokens per message
for the chat template, with ``ratio`` starting at 4 (typical for English on OpenAI-style BPE) and
then calibrated per model from the ``usage.prompt_tokens`` the server sends back: an
exponentially weighted mean, kept in Redis so that every process and every restart starts from
what was learned. Bytes rather than characters, because accented and non-Latin text costs more
tokens per character and more bytes per character alike, so one ratio fits several languages
better than a character count does.

Fail-open: Redis errors only mean the process keeps its own figure.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from service.llm.base import ChatMessage

log = structlog.get_logger("tactful.llm")

DEFAULT_BYTES_PER_TOKEN = 4.0
# Chat templates wrap each message in role markers: a handful of tokens that no text shows.
TOKENS_PER_MESSAGE = 4
# The learned ratio stays within what real tokenizers do (CJK ~1.5, code and English ~3-5).
MIN_RATIO, MAX_RATIO = 1.0, 8.0
# Each observation moves the estimate by this share: a few drafts settle it, one odd thread doesn't.
WEIGHT = 0.2
# Below this many prompt tokens the template's overhead dominates: such samples teach nothing.
MIN_SAMPLE_TOKENS = 64
KEY = "tactful:llm:bytes-per-token"
SYNC_EVERY_S = 10.0


def text_bytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class TokenEstimator:
    """``tokens(text)`` and ``prompt_tokens(messages)`` for one model; ``observe`` teaches it."""

    def __init__(
        self, model: str, redis: aioredis.Redis | None = None, *, ratio: float = DEFAULT_BYTES_PER_TOKEN
    ) -> None:
        self.model = model
        self._redis = redis
        self.ratio = ratio
        self.samples = 0
        self._synced_at = -math.inf
        self._background: set[asyncio.Task[None]] = set()

    def tokens(self, text: str) -> int:
        return math.ceil(text_bytes(text) / self.ratio)

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(self.tokens(m["content"]) + TOKENS_PER_MESSAGE for m in messages)

    def observe(self, messages: Sequence[ChatMessage], prompt_tokens: int) -> None:
        """Learn from a server's count for a prompt we sent."""
        content_tokens = prompt_tokens - TOKENS_PER_MESSAGE * len(messages)
        if content_tokens < MIN_SAMPLE_TOKENS:
            return
        size = sum(text_bytes(m["content"]) for m in messages)
        sample = min(MAX_RATIO, max(MIN_RATIO, size / content_tokens))
        self.ratio = sample if self.samples == 0 else (1 - WEIGHT) * self.ratio + WEIGHT * sample
        self.samples += 1
        if time.monotonic() - self._synced_at >= SYNC_EVERY_S:
            self._synced_at = time.monotonic()
            self._spawn(self._store())

    async def load(self) -> None:
        """Start from the ratio other processes learned (called at start-up)."""
        if self._redis is None:
            return
        try:
            raw: Any = await self._redis.hget(KEY, self.model)  # type: ignore[misc]
        except (RedisError, OSError) as exc:
            log.warning("llm.calibration_unavailable", error=type(exc).__name__)
            return
        try:
            stored = float(raw) if raw is not None else math.nan
        except ValueError:
            return
        if MIN_RATIO <= stored <= MAX_RATIO:
            self.ratio = stored
            self.samples = max(self.samples, 1)

    async def _store(self) -> None:
        if self._redis is None:
            return
        try:
            await self._redis.hset(KEY, self.model, f"{self.ratio:.4f}")  # type: ignore[misc]
        except (RedisError, OSError) as exc:
            log.warning("llm.calibration_unavailable", error=type(exc).__name__)

    def _spawn(self, coro: Any) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # no loop (a synchronous caller): keep the figure locally
            coro.close()
            return
        self._background.add(task)
        task.add_done_callback(self._background.discard)
