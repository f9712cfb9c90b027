"""PTB's rate-limiter hook over our `Pacer`: direct replies are paced like the outbox.

Every Bot API call of the application goes through `PacingRateLimiter.process_request`.
A call that sends a message waits for its chat's and the overall budget, in its own task
(other chats' updates go on). A 429 is honoured: wait `retry_after`, then try again, at
most `max_retries` times, then raise `RetryAfter` to the caller. The outbox takes its budget
itself (and gives it back when the call is over), and marks its calls `{"paced": True}`
(`PACED`): they are sent at once and a 429 is returned to the worker, which puts the row off
in the database. A call's budget is held while it is in flight and counted from its answer
on (see `bot.delivery.pacing`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import Pacer

log = logging.getLogger(__name__)

PACED: dict[str, Any] = {"paced": True}
# methods that produce or change a message in a chat: Telegram's flood limits count them
# (edits included); answerCallbackQuery, getUpdates and the like are not paced
MESSAGE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendMediaGroup", "sendVoice", "sendLocation", "sendDocument",
    "sendAudio", "sendVideo", "sendAnimation", "sendSticker", "sendVenue", "sendContact",
    "sendPoll", "sendDice", "copyMessage", "forwardMessage", "editMessageText",
    "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
})


def retry_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` in seconds (PTB gives an int or a timedelta)."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _message_count(endpoint: str, data: dict[str, Any]) -> int:
    if endpoint == "sendMediaGroup":
        return max(1, len(data.get("media") or []))
    return 1


def _chat_id(data: dict[str, Any]) -> int | None:
    chat_id = data.get("chat_id")
    return chat_id if isinstance(chat_id, int) else None


class PacingRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Paces message-sending calls with a shared `Pacer`; retries 429s `max_retries` times."""

    def __init__(self, pacer: Pacer, *, max_retries: int = 3) -> None:
        self.pacer = pacer
        self.max_retries = max_retries
        self.rate_limited = 0   # 429s Telegram answered (the target is none)
        # awaited before every call (bot.app: the update being handled is recorded first)
        self.before_call: Callable[[], Awaitable[None]] | None = None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """`before_call` first (its exception goes through, no call made); wait for the
        budget (unless the caller took it: `PACED`), call, give the budget back (counted
        from the answer on), retry 429s."""
        if self.before_call is not None:
            await self.before_call()
        paced = bool(rate_limit_args and rate_limit_args.get("paced"))
        counted = endpoint in MESSAGE_METHODS
        for attempt in range(self.max_retries + 1):
            try:
                if counted and not paced:
                    async with self.pacer.sending(_chat_id(data), _message_count(endpoint, data)):
                        return await callback(*args, **kwargs)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.rate_limited += 1
                if paced or attempt == self.max_retries:
                    raise
                log.warning("429 on %s to %s; retrying in %ss", endpoint, data.get("chat_id"),
                            exc.retry_after)
                await asyncio.sleep(retry_seconds(exc))
        raise AssertionError("unreachable")
