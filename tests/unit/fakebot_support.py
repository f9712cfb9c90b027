"""What the fake-server tests share: a settable clock and a started fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.fakebot import FakeTelegram

USER = 1001
OTHER = 1002


class Clock:
    """The fake's flood-limit clock, moved by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def started(*users: tuple[int, str], **options: Any) -> AsyncIterator[FakeTelegram]:
    """A running fake with `users` ((id, name)) registered; `options` go to FakeTelegram."""
    server = FakeTelegram(**options)
    await server.start()
    for user_id, name in users:
        server.add_user(user_id, name)
    try:
        yield server
    finally:
        await server.stop()
