"""Pacing within Telegram's flood limits, for the outbox and for direct replies alike.

Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about 30 messages per second overall, about 1 per second to one private chat (short bursts
are tolerated) and 20 per minute to one group. A `Pacer` keeps the same three budgets on our
side, so that Telegram never has to answer 429:

* overall: at most `overall_per_second` messages in any one second (an album counts each
  photo, as Telegram does);
* private chat (chat id > 0): a token bucket, refilled `private_per_second`, holding at most
  `private_burst` messages;
* group (chat id < 0): at most `group_per_minute` messages in any 60 s (the limit is a
  window, not a leaky bucket: a burst of 20 must be followed by a quiet minute).

Where the window is measured. Telegram counts a message when the request reaches it, which is
somewhere between the moment we start the call and the moment its answer comes back; a busy
event loop or a connection pool can hold a request back and let it arrive bunched with later
ones. So a window (`Window`) counts a call as in flight from `reserve` until `release`, and
then from the moment its answer came back: the next call that needs its place starts a full
window after that answer, hence reaches Telegram a full window after the counted one did,
whatever the delays on the way. No safety margin is needed, and none is taken: the overall
rate is `overall_per_second / (1 s + round trip)`. The private bucket is charged when a call
starts and keeps a margin (MARGIN_S) and a burst under Telegram's.

`reserve` never sleeps: it either takes the budget (returns 0.0) or says how many seconds to
wait (an estimate when calls in flight hold the budget). Whoever reserved calls `release`
once the call came back or failed. The outbox skips a chat that must wait and goes on with the
others; a direct reply awaits `acquire` (or `sending`), which sleeps only in that update's own
task and wakes early when a call in flight comes back.

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
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

MARGIN_S = 0.1   # the private bucket, charged at the start of a call: jitter on the way
PRUNE_EVERY = 1000   # reservations between forgetting chats whose budget is whole again
GROUP_WINDOW_S = 60.0


@dataclass(frozen=True)
class Limits:
    overall_per_second: int = 30
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


class Window:
    """At most `limit` messages in any `span` seconds, a message counted from when its call
    came back (`release`); while in flight it holds its place."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.in_flight = 0
        self._done: deque[float] = deque()   # when each released message's call came back

    def wait(self, now: float, count: int = 1) -> float:
        """Seconds until `count` more messages fit (0.0: now); while calls in flight hold the
        places, at least a whole span (they count from their answer on)."""
        done = self._done
        while done and done[0] <= now - self.span:
            done.popleft()
        excess = self.in_flight + len(done) + count - self.limit
        if excess <= 0:
            return 0.0
        if excess > len(done):
            return self.span
        return done[excess - 1] + self.span - now

    def take(self, count: int = 1) -> None:
        """Count `count` messages in flight (checked with `wait` first)."""
        self.in_flight += count

    def release(self, now: float, count: int = 1) -> None:
        """`count` messages' call came back (or failed) at `now`."""
        count = min(count, self.in_flight)
        self.in_flight -= count
        self._done.extend([now] * count)

    def idle(self, now: float) -> bool:
        """Nothing in flight and nothing counted any more: the window can be forgotten."""
        return not self.in_flight and (not self._done or self._done[-1] <= now - self.span)


class Pacer:
    """Per-chat and overall budgets; time in seconds from `clock` (monotonic by default)."""

    def __init__(self, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._overall = Window(self.limits.overall_per_second, 1.0)
        self._private: dict[int, tuple[float, float]] = {}   # chat → (tokens, at)
        self._groups: dict[int, Window] = {}
        self._since_prune = 0
        self._released: asyncio.Event | None = None   # set (and replaced) at each release

    def wait_for(self, chat_id: int | None, count: int = 1) -> float:
        """Seconds until `count` messages to `chat_id` (None: no chat) fit; 0.0 if now."""
        return max(self.overall_wait(count), self.chat_wait(chat_id))

    def overall_wait(self, count: int = 1) -> float:
        """Seconds until `count` more messages fit the overall budget; 0.0 if now."""
        return self._overall.wait(self._clock(), count)

    def chat_wait(self, chat_id: int | None) -> float:
        """Seconds until one more call to `chat_id` fits its chat's budget; 0.0 if now."""
        if chat_id is None:
            return 0.0
        now = self._clock()
        if is_group(chat_id):
            window = self._groups.get(chat_id)
            return window.wait(now) if window is not None else 0.0
        return self._private_wait(chat_id, now)

    def reserve(self, chat_id: int | None, count: int = 1) -> float:
        """Take the budget for one call carrying `count` messages if it fits now (returns
        0.0; `release` it when the call is over); otherwise take nothing and return the
        seconds to wait."""
        wait = self.wait_for(chat_id, count)
        if wait > 0:
            return wait
        self._overall.take(count)
        if chat_id is not None:
            self._take_chat(chat_id)
        return 0.0

    def release(self, chat_id: int | None, count: int = 1) -> None:
        """The call `reserve(chat_id, count)` was taken for came back (answered or failed):
        its messages count from now on."""
        now = self._clock()
        self._overall.release(now, count)
        if chat_id is not None and chat_id in self._groups:
            self._groups[chat_id].release(now)
        if self._released is not None:
            self._released.set()
            self._released = None

    def _take_chat(self, chat_id: int) -> None:
        now = self._clock()
        if is_group(chat_id):
            self._groups.setdefault(
                chat_id, Window(self.limits.group_per_minute, GROUP_WINDOW_S)).take()
        else:
            tokens, _ = self._refilled(chat_id, now)
            self._private[chat_id] = (tokens - 1.0, now)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Forget chats whose budget is whole again: memory stays O(recently messaged chats)."""
        self._since_prune = 0
        burst = float(self.limits.private_burst)
        for chat_id in [c for c in self._private if self._refilled(c, now)[0] >= burst]:
            del self._private[chat_id]
        for chat_id in [c for c, w in self._groups.items() if w.idle(now)]:
            del self._groups[chat_id]

    async def acquire(self, chat_id: int | None, count: int = 1) -> None:
        """Wait (in the caller's task only) until the call fits, then take its budget; wakes
        early when a call in flight comes back. `release` it when the call is over."""
        while (wait := self.reserve(chat_id, count)) > 0:
            if self._released is None:
                self._released = asyncio.Event()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=wait)

    @asynccontextmanager
    async def sending(self, chat_id: int | None, count: int = 1) -> AsyncIterator[None]:
        """`async with pacer.sending(chat, n): await call()`: acquired before, released after."""
        await self.acquire(chat_id, count)
        try:
            yield
        finally:
            self.release(chat_id, count)

    def _refilled(self, chat_id: int, now: float) -> tuple[float, float]:
        burst = float(self.limits.private_burst)
        tokens, at = self._private.get(chat_id, (burst, now))
        return min(burst, tokens + (now - at) * self.limits.private_per_second), now

    def _private_wait(self, chat_id: int, now: float) -> float:
        tokens, _ = self._refilled(chat_id, now)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / self.limits.private_per_second + MARGIN_S
