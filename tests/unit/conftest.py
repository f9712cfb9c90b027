"""Unit-test fixtures: PTB's settings as the bot package sets them, and a real PTB Bot
for the fake-server tests (each module defines its own `fake`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from tests.fakebot import FakeTelegram


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the bot package does: opt in to timedelta durations (no deprecation warnings)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    """A real PTB Bot talking to the test module's `fake`."""
    async with telegram.Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url) as b:
        yield b
