"""An update delivered twice: recorded by the handler's own transaction (its first commit)
or before its first answer; the second delivery writes nothing and answers nothing (issue 10)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from bot.services import Services, access, my
from bot.services.updates import UpdateSeen, handling, record_before_call
from storage.models import Conversation, ProcessedUpdate
from tests.integration.helpers import RESIDENT, count, start

T = TypeVar("T")
NEIGHBOUR = RESIDENT + 1


async def handle(update_id: int, work: Callable[[], Awaitable[T]]) -> T:
    """`work` as PTB runs a handler: in a task of its own that handles `update_id`."""
    async def run() -> T:
        handling(update_id)
        return await work()
    return await asyncio.create_task(run())


async def test_the_handlers_commit_records_the_update_and_a_redelivery_writes_nothing(
        services: Services) -> None:
    replies = await handle(1, lambda: start(services, RESIDENT))
    assert replies and await count(services, ProcessedUpdate) == 1
    conversations = await count(services, Conversation)
    with pytest.raises(UpdateSeen):   # the same update id, whatever it carries
        await handle(1, lambda: start(services, NEIGHBOUR))
    assert await count(services, Conversation) == conversations
    assert await count(services, ProcessedUpdate) == 1


async def test_an_answer_without_a_commit_records_the_update_first(services: Services) -> None:
    await handle(2, lambda: record_before_call(services))
    assert await count(services, ProcessedUpdate) == 1
    with pytest.raises(UpdateSeen):
        await handle(2, lambda: record_before_call(services))


async def test_an_update_is_recorded_once_however_many_commits_and_answers(
        services: Services) -> None:
    async def work() -> None:
        await start(services, RESIDENT)
        await record_before_call(services)
        await start(services, NEIGHBOUR)
    await handle(3, work)
    assert await count(services, ProcessedUpdate) == 1


async def test_outside_an_update_nothing_is_recorded(services: Services) -> None:
    await start(services, RESIDENT)
    await record_before_call(services)
    assert await count(services, ProcessedUpdate) == 0


async def test_a_reading_records_the_update_in_its_own_transaction(services: Services) -> None:
    await handle(4, lambda: access.reader(services, user_id=RESIDENT, language_code=None))
    assert await count(services, ProcessedUpdate) == 1   # no answer needed to record it
    with pytest.raises(UpdateSeen):   # redelivered: not read, so not answered, again
        await handle(4, lambda: my.my_page(services, resident_id=RESIDENT))
