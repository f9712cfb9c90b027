"""Flood control: global, per private chat (token bucket) and per group limits."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from .errors import too_many

GLOBAL_PER_SECOND = 30
PRIVATE_BURST = 5
PRIVATE_REFILL_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20


def _retry(seconds: float) -> int:
    return max(1, math.ceil(seconds))


class FloodControl:
    """Raises 429 (TgError) when a message would exceed one of the limits."""

    def __init__(self, clock: Callable[[], float], enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._global: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}
        self._groups: dict[int, deque[float]] = {}

    def acquire(self, chat_id: int, *, group: bool, count: int = 1) -> None:
        """Consume quota for `count` messages to `chat_id` (a media group is one per chat)."""
        if not self.enabled:
            return
        now = self.clock()
        self._check_global(now, count)
        if group:
            window = self._check_group(chat_id, now)
            window.append(now)
        else:
            tokens = self._check_private(chat_id, now)
            self._buckets[chat_id] = (tokens - 1, now)
        self._global.extend([now] * count)

    def _check_global(self, now: float, count: int) -> None:
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) + count > GLOBAL_PER_SECOND:
            oldest = self._global[0] if self._global else now
            raise too_many(_retry(oldest + 1.0 - now))

    def _check_private(self, chat_id: int, now: float) -> float:
        tokens, last = self._buckets.get(chat_id, (float(PRIVATE_BURST), now))
        tokens = min(float(PRIVATE_BURST), tokens + (now - last) * PRIVATE_REFILL_PER_SECOND)
        if tokens < 1.0:
            raise too_many(_retry((1.0 - tokens) / PRIVATE_REFILL_PER_SECOND))
        return tokens

    def _check_group(self, chat_id: int, now: float) -> deque[float]:
        window = self._groups.setdefault(chat_id, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) >= GROUP_PER_MINUTE:
            raise too_many(_retry(window[0] + 60.0 - now))
        return window
