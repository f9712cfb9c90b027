"""Pacing within Telegram's flood limits, for the outbox and for direct replies alike.

Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about 30 messages per second overall, about 1 per second to one private chat (short bursts
are tolerated) and 20 per minute to one group. A `Pacer` keeps the same three budgets on our
side, so that Telegram never has to answer 429:

* overall: a sliding one-second window of `overall_per_second` messages (an album counts
  each photo, as Telegram does);
* private chat (chat id > 0): a token bucket, refilled `private_per_second`, holding at most
  `private_burst` messages;
* group (chat id < 0): a sliding window of `group_per_minute` messages per 60 s (the limit is
  a window, not a leaky bucket: a burst of 20 must be followed by a quiet minute).

`reserve` never sleeps: it either takes the budget (returns 0.0) or says how many seconds to
wait. The outbox skips a chat that must wait and goes on with the others; a direct reply
awaits `acquire`, which sleeps only in that update's own task.

aiolimiter (installed with PTB's rate-limiter extra) is a leaky bucket: right for the overall
rate, wrong for the group window, and it cannot answer "when" without waiting, which the
outbox needs; so this module keeps the three budgets itself, over an injectable clock.

Several instances: one chat's rows are claimed by one instance at a time (see
`storage.queries.claim_outbox`), and a row put off for pacing is put off in the database
(`not_before`). But a pacer remembers only what its own instance sent, and a chat's direct
replies (and its next claim) may come from another instance: `lianxin run --instances N`
gives each instance 1/N of every budget (`Limits.shared`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MARGIN_S = 0.1   # jitter: a request may reach Telegram later than timed (a busy event loop)
PRUNE_EVERY = 1000   # reservations between forgetting chats whose budget is whole again


@dataclass(frozen=True)
class Limits:
    overall_per_second: int = 25   # under 30/s: requests timed apart can arrive bunched
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20

    def shared(self, instances: int) -> Limits:
        """Each of `instances` instances sharing the token takes 1/N of every budget: a direct
        reply is paced where it is sent, and a chat's next update may reach another instance,
        so no instance knows what the others sent (rounded down; at least one message)."""
        n = max(1, instances)
        return Limits(overall_per_second=max(1, self.overall_per_second // n),
                      private_per_second=self.private_per_second / n,
                      private_burst=max(1, self.private_burst // n),
                      group_per_minute=max(1, self.group_per_minute // n))


def is_group(chat_id: int) -> bool:
    """Telegram gives groups, supergroups and channels negative ids, users positive ones."""
    return chat_id < 0


class Pacer:
    """Per-chat and overall budgets; time in seconds from `clock` (monotonic by default)."""

    def __init__(self, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._overall: deque[float] = deque()
        self._private: dict[int, tuple[float, float]] = {}   # chat → (tokens, at)
        self._groups: dict[int, deque[float]] = {}
        self._since_prune = 0

    def wait_for(self, chat_id: int | None, count: int = 1) -> float:
        """Seconds until `count` messages to `chat_id` (None: no chat) fit; 0.0 if now."""
        return max(self.overall_wait(count), self.chat_wait(chat_id))

    def overall_wait(self, count: int = 1) -> float:
        """Seconds until `count` more messages fit the overall budget; 0.0 if now."""
        return self._overall_wait(self._clock(), count)

    def chat_wait(self, chat_id: int | None) -> float:
        """Seconds until one more call to `chat_id` fits its chat's budget; 0.0 if now."""
        if chat_id is None:
            return 0.0
        now = self._clock()
        return self._group_wait(chat_id, now) if is_group(chat_id) else \
            self._private_wait(chat_id, now)

    def reserve(self, chat_id: int | None, count: int = 1) -> float:
        """Take the budget for one call carrying `count` messages if it fits now (returns
        0.0); otherwise take nothing and return the seconds to wait."""
        wait = self.wait_for(chat_id, count)
        if wait > 0:
            return wait
        self._overall.extend([self._clock()] * count)
        if chat_id is not None:
            self.reserve_chat(chat_id)
        return 0.0

    def reserve_chat(self, chat_id: int) -> float:
        """Take one call's budget of `chat_id` alone (the overall one taken apart)."""
        wait = self.chat_wait(chat_id)
        if wait > 0:
            return wait
        now = self._clock()
        if is_group(chat_id):
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            tokens, _ = self._refilled(chat_id, now)
            self._private[chat_id] = (tokens - 1.0, now)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._prune(now)
        return 0.0

    def _prune(self, now: float) -> None:
        """Forget chats whose budget is whole again: memory stays O(recently messaged chats)."""
        self._since_prune = 0
        burst = float(self.limits.private_burst)
        for chat_id in [c for c in self._private if self._refilled(c, now)[0] >= burst]:
            del self._private[chat_id]
        for chat_id in [c for c, w in self._groups.items() if w[-1] <= now - 60.0 - MARGIN_S]:
            del self._groups[chat_id]

    async def acquire(self, chat_id: int | None, count: int = 1) -> None:
        """Wait (in the caller's task only) until the call fits, then take its budget."""
        while (wait := self.reserve(chat_id, count)) > 0:
            await asyncio.sleep(wait)

    def _overall_wait(self, now: float, count: int) -> float:
        window = self._overall
        while window and window[0] <= now - 1.0 - MARGIN_S:
            window.popleft()
        excess = len(window) + count - self.limits.overall_per_second
        if excess <= 0:
            return 0.0
        return window[min(excess, len(window)) - 1] + 1.0 + MARGIN_S - now

    def _refilled(self, chat_id: int, now: float) -> tuple[float, float]:
        burst = float(self.limits.private_burst)
        tokens, at = self._private.get(chat_id, (burst, now))
        return min(burst, tokens + (now - at) * self.limits.private_per_second), now

    def _private_wait(self, chat_id: int, now: float) -> float:
        tokens, _ = self._refilled(chat_id, now)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / self.limits.private_per_second + MARGIN_S

    def _group_wait(self, chat_id: int, now: float) -> float:
        window = self._groups.get(chat_id)
        if window is None:
            return 0.0
        while window and window[0] <= now - 60.0 - MARGIN_S:
            window.popleft()
        if not window:
            del self._groups[chat_id]
            return 0.0
        if len(window) < self.limits.group_per_minute:
            return 0.0
        return window[0] + 60.0 + MARGIN_S - now
