"""Injected server faults, flood counters and Telegram's length limits, driven through a
real PTB `telegram.Bot` against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest, NetworkError, RetryAfter

from tests.fakebot import FakeTelegram
from tests.unit.fakebot_support import OTHER, USER, Clock, started

GROUP = -100123


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake(clock: Clock) -> AsyncIterator[FakeTelegram]:
    async with started((USER, "张三"), (OTHER, "李四"), clock=clock) as server:
        yield server


# ---------------------------------------------------------------- injected faults


async def test_chat_fails_until_cleared(fake: FakeTelegram, bot: telegram.Bot):
    sent = await bot.send_message(OTHER, "旧")
    rule = fake.inject_fault(chat_id=OTHER, status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(OTHER, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.edit_message_text("新", chat_id=OTHER, message_id=sent.message_id)
    assert (await bot.send_message(USER, "别的聊天照常")).chat.id == USER
    assert rule.hits == 2
    assert [(e.method, e.status, e.chat_id) for e in fake.errors] == [
        ("sendMessage", 502, OTHER),
        ("editMessageText", 502, OTHER),
    ]
    fake.clear_faults(rule)
    assert (await bot.send_message(OTHER, "好了")).text == "好了"


async def test_method_fails_a_number_of_times(fake: FakeTelegram, bot: telegram.Bot):
    fake.inject_fault(method="sendMessage", status=503, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Service Unavailable"):
            await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "第三次")).text == "第三次"
    assert (await bot.send_photo(USER, b"jpeg")).photo


async def test_standing_drops_and_clear_all(fake: FakeTelegram, bot: telegram.Bot):
    fake.inject_fault(chat_id=USER, status=None)
    fake.inject_fault(chat_id=OTHER, status=None, after_processing=True)
    fake.fail_next("getMe", 500)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "丢了")
    with pytest.raises(NetworkError):
        await bot.send_message(OTHER, "发出去了，回答丢了")
    assert [m.text for m in fake.sent] == ["发出去了，回答丢了"]
    assert fake.dropped == ["sendMessage", "sendMessage"]
    fake.clear_faults()
    assert (await bot.send_message(USER, "好了")).text == "好了"
    assert (await bot.get_me()).is_bot  # the queued getMe fault went too


# ---------------------------------------------------------------- flood counters


async def test_429_counted_per_chat(fake: FakeTelegram, bot: telegram.Bot, clock: Clock):
    fake.add_group(GROUP, "群")
    for _ in range(5):
        await bot.send_message(USER, "burst")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "one too many")
    assert info.value.retry_after.total_seconds() == 1
    for _ in range(20):
        clock.now += 0.5
        await bot.send_message(GROUP, "x")
    for _ in range(2):
        with pytest.raises(RetryAfter):
            await bot.send_message(GROUP, "x")
    fake.fail_next("getMe", 429, retry_after=2)
    with pytest.raises(RetryAfter):
        await bot.get_me()
    assert (fake.rate_limited(USER), fake.rate_limited(GROUP), fake.rate_limited()) == (1, 2, 4)
    assert fake.rate_limited_chats() == {USER: 1, GROUP: 2, None: 1}


# ---------------------------------------------------------------- limits


async def test_limits_count_utf16_code_units(fake: FakeTelegram, bot: telegram.Bot):
    fake.flood.enabled = False
    await bot.send_photo(USER, b"jpeg", caption="😀" * 512)  # 1024 UTF-16 code units
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(USER, b"jpeg", caption="😀" * 513)
    await bot.send_photo(USER, b"jpeg", caption="<b>" + "字" * 1024 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_media_group(USER, [InputMediaPhoto(b"a", caption="c" * 1025)] * 2)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2049)

    def button(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("按", callback_data=data)]])

    sent = await bot.send_message(USER, "按钮", reply_markup=button("字" * 21 + "a"))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "按钮", reply_markup=button("字" * 22))  # 66 bytes

    query_id = fake.press(USER, fake.sent[-1], "按")
    assert sent.message_id == fake.sent[-1].message_id
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="😀" * 101)  # 202 code units
    assert await bot.answer_callback_query(query_id, text="😀" * 100)
