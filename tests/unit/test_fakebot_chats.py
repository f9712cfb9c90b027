"""The fake drives what Telegram does to chats and updates: a group upgraded to a
supergroup, the bot removed from a group, albums, edited messages and redelivery.
Each test talks to the fake through a real PTB `telegram.Bot`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import pytest
import telegram
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from tests.fakebot import FakeTelegram
from tests.unit.fakebot_support import USER, started

GROUP = -100123
SUPERGROUP = -1001234567890
OTHER_SUPERGROUP = -1009876543210


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with started((USER, "张三"), flood_limits=False) as server:
        yield server


async def refused(call: Awaitable[object]) -> tuple[type[TelegramError], str]:
    """The exception class PTB raised for `call` and its message (PTB strips "Bad Request: ")."""
    with pytest.raises(TelegramError) as info:
        await call
    return type(info.value), info.value.message


# ---------------------------------------------------------------- group -> supergroup


async def test_group_upgraded_to_supergroup(fake: FakeTelegram, bot: telegram.Bot):
    fake.add_group(GROUP, "连心服务办公室")
    before = await bot.send_message(GROUP, "升级前")
    fake.migrate_group(GROUP, SUPERGROUP, by=USER)

    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(GROUP, "升级后")
    assert info.value.new_chat_id == SUPERGROUP
    with pytest.raises(ChatMigrated):
        await bot.edit_message_text("改", chat_id=GROUP, message_id=before.message_id)
    with pytest.raises(ChatMigrated):
        await bot.get_chat(GROUP)
    assert fake.errors_with(400)[0].description == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )

    sent = await bot.send_message(SUPERGROUP, "升级后")
    assert (sent.chat.type, sent.chat.title) == ("supergroup", "连心服务办公室")
    assert [m.text for m in fake.messages_to(SUPERGROUP)] == ["升级后"]

    updates = await bot.get_updates(timeout=0)
    service = [
        (u.message.chat.id, u.message.migrate_to_chat_id, u.message.migrate_from_chat_id)
        for u in updates
    ]
    assert service == [(GROUP, SUPERGROUP, None), (SUPERGROUP, None, GROUP)]
    assert updates[0].message.from_user.id == USER

    fake.send_text(USER, "新群里说话", chat_id=SUPERGROUP)
    with pytest.raises(AssertionError, match="no longer receives"):
        fake.send_text(USER, "旧群里说话", chat_id=GROUP)
    with pytest.raises(AssertionError, match="no longer receives"):
        fake.edit_text(USER, updates[0].message.message_id, "改旧群的消息", chat_id=GROUP)
    with pytest.raises(AssertionError, match="not a basic group"):
        fake.migrate_group(SUPERGROUP, OTHER_SUPERGROUP)


# ---------------------------------------------------------------- bot removed


async def test_bot_kicked_from_supergroup_and_basic_group(fake: FakeTelegram, bot: telegram.Bot):
    fake.add_group(SUPERGROUP, "超级群")
    fake.add_group(GROUP, "普通群")
    fake.kick_bot(SUPERGROUP, by=USER)
    fake.kick_bot(GROUP, by=USER)
    assert await refused(bot.send_message(SUPERGROUP, "x")) == (
        Forbidden,
        "Forbidden: bot was kicked from the supergroup chat",
    )
    assert await refused(bot.send_message(GROUP, "x")) == (
        Forbidden,
        "Forbidden: bot was kicked from the group chat",
    )
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_chat_action(SUPERGROUP, "typing")

    updates = await bot.get_updates(timeout=0)
    changes = [u.my_chat_member for u in updates]
    assert [(c.chat.id, c.from_user.id) for c in changes] == [(SUPERGROUP, USER), (GROUP, USER)]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("member", "kicked"),
        ("member", "left"),
    ]
    assert changes[0].new_chat_member.user.id == bot.id

    fake.add_bot(SUPERGROUP, by=USER)
    assert (await bot.send_message(SUPERGROUP, "回来了")).chat.id == SUPERGROUP
    [back] = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert back.my_chat_member.new_chat_member.status == "member"


async def test_bot_removed_without_ban_is_not_a_member(fake: FakeTelegram, bot: telegram.Bot):
    fake.add_group(SUPERGROUP, "超级群")
    await bot.get_updates(timeout=0, allowed_updates=["message"])
    fake.kick_bot(SUPERGROUP, banned=False)
    assert await refused(bot.send_message(SUPERGROUP, "x")) == (
        Forbidden,
        "Forbidden: bot is not a member of the supergroup chat",
    )
    assert await bot.get_updates(timeout=0) == ()  # my_chat_member not in allowed_updates


async def test_private_chat_errors_have_telegrams_texts(fake: FakeTelegram, bot: telegram.Bot):
    fake.add_user(1002, "李四", opened=False)
    assert await refused(bot.send_message(1002, "x")) == (
        Forbidden,
        "Forbidden: bot can't initiate conversation with a user",
    )
    fake.block(USER)
    assert await refused(bot.send_message(USER, "x")) == (
        Forbidden,
        "Forbidden: bot was blocked by the user",
    )
    assert await refused(bot.send_message(-555, "x")) == (BadRequest, "Chat not found")
    assert fake.errors[-1].description == "Bad Request: chat not found"


# ---------------------------------------------------------------- what people send


async def test_album_is_one_update_per_photo(fake: FakeTelegram, bot: telegram.Bot):
    ids = fake.send_album(USER, 3, caption="现场照片")
    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates]
    assert [m.message_id for m in messages] == ids
    assert len({m.media_group_id for m in messages}) == 1 and messages[0].media_group_id
    assert [m.caption for m in messages] == ["现场照片", None, None]
    assert len({m.photo[-1].file_id for m in messages}) == 3
    file = await bot.get_file(messages[2].photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()).startswith(b"fake-photo")


async def test_edited_message_update(fake: FakeTelegram, bot: telegram.Bot):
    message_id = fake.send_text(USER, "楼道灯坏了")
    photo_id = fake.send_photo(USER, caption="旧说明")
    fake.edit_text(USER, message_id, "楼道灯坏了三天")
    fake.edit_text(USER, photo_id, "新说明")
    updates = await bot.get_updates(timeout=0)
    first, second = updates[2].edited_message, updates[3].edited_message
    assert (first.message_id, first.text) == (message_id, "楼道灯坏了三天")
    assert first.edit_date is not None and updates[2].message is None
    assert (second.message_id, second.caption) == (photo_id, "新说明")
    with pytest.raises(AssertionError, match="sent no message"):
        fake.edit_text(USER, 999, "x")


# ---------------------------------------------------------------- redelivery


async def test_unconfirmed_updates_come_again(fake: FakeTelegram, bot: telegram.Bot):
    fake.send_text(USER, "一")
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)  # a restarted bot: no offset confirmed yet
    assert [u.to_dict() for u in again] == [u.to_dict() for u in first]
    assert await bot.get_updates(offset=first[0].update_id + 1, timeout=0) == ()


async def test_redeliver_whatever_the_offset(fake: FakeTelegram, bot: telegram.Bot):
    fake.send_text(USER, "一")
    fake.send_text(USER, "二")
    updates = await bot.get_updates(timeout=0)
    offset = updates[-1].update_id + 1
    assert await bot.get_updates(offset=offset, timeout=0) == ()

    fake.redeliver(updates[0].update_id)
    fake.send_text(USER, "三")
    redelivered = await bot.get_updates(offset=offset, timeout=0)
    assert redelivered[0].to_dict() == updates[0].to_dict()
    assert [u.message.text for u in redelivered] == ["一", "三"]
    assert await bot.get_updates(offset=redelivered[-1].update_id + 1, timeout=0) == ()

    assert fake.redeliver_last(2) == [u.update_id for u in redelivered]
    assert [u.message.text for u in await bot.get_updates(offset=offset + 5, timeout=0)] == [
        "一",
        "三",
    ]
    with pytest.raises(AssertionError, match="was ever queued"):
        fake.redeliver(1)
