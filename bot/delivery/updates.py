"""Concurrent updates, ordered per chat: PTB's update-processor hook.

PTB with `concurrent_updates(False)` handles one update at a time for the whole bot, so one
slow chat (a slow database write, a reply waiting for its chat's flood budget) stalls every
resident. `PerChatUpdateProcessor` runs different chats' updates at once and one chat's
strictly in the order they arrived (a report's steps, DESIGN.md "Storage": "updates of one
chat are handled one at a time"). An update is also ordered with the same user's updates in
other chats, since a user's conversation state is one row whatever the chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 256


def update_keys(update: object) -> list[str]:
    """What an update must be ordered with: its chat and its user (sorted, so that two
    updates that share both take the locks in the same order: no deadlock)."""
    if not isinstance(update, Update):
        return []
    keys = set()
    if update.effective_chat is not None:
        keys.add(f"chat:{update.effective_chat.id}")
    if update.effective_user is not None:
        keys.add(f"user:{update.effective_user.id}")
    return sorted(keys)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently (up to `max_concurrent_updates`), one chat in order.

    PTB starts one task per update in arrival order; each takes its keys' locks before any
    await can interleave, and asyncio locks are fair (FIFO), so a chat's updates run in the
    order they came.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}   # key → updates holding or awaiting its lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` (handling `update`) once every earlier update of its chat is done."""
        keys = update_keys(update)
        for key in keys:
            self._users[key] = self._users.get(key, 0) + 1
        try:
            async with AsyncExitStack() as stack:
                for key in keys:
                    await stack.enter_async_context(self._locks.setdefault(key, asyncio.Lock()))
                await coroutine
        finally:
            for key in keys:
                self._users[key] -= 1
                if not self._users[key]:   # forget idle chats: memory stays O(active chats)
                    del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
