"""PerChatUpdateProcessor: different chats at once, one chat's updates strictly in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.delivery.updates import PerChatUpdateProcessor


def message(update_id: int, chat_id: int, user_id: int | None = None) -> Update:
    user = User(user_id or chat_id, "u", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    return Update(update_id, message=Message(update_id, datetime(2026, 1, 1, tzinfo=UTC), chat,
                                             from_user=user, text=str(update_id)))


async def test_one_chat_in_order_other_chats_meanwhile() -> None:
    processor = PerChatUpdateProcessor()
    gate = asyncio.Event()
    done: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    tasks = [asyncio.create_task(processor.process_update(message(1, 10), handle("a1", gate))),
             asyncio.create_task(processor.process_update(message(2, 10), handle("a2"))),
             asyncio.create_task(processor.process_update(message(3, 20), handle("b1"))),
             asyncio.create_task(processor.process_update(message(4, 10), handle("a3")))]
    while "b1" not in done:            # chat 20 is not held up by chat 10's slow update
        await asyncio.sleep(0)
    assert done == ["b1"]
    gate.set()
    await asyncio.gather(*tasks)
    assert done == ["b1", "a1", "a2", "a3"]
    assert not processor._locks      # idle chats are forgotten


async def test_a_user_is_ordered_across_chats() -> None:
    processor = PerChatUpdateProcessor()
    gate = asyncio.Event()
    done: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    first = asyncio.create_task(processor.process_update(message(1, -5, user_id=7),
                                                         handle("in group", gate)))
    second = asyncio.create_task(processor.process_update(message(2, 7), handle("in private")))
    for _ in range(10):
        await asyncio.sleep(0)
    assert done == []
    gate.set()
    await asyncio.gather(first, second)
    assert done == ["in group", "in private"]
