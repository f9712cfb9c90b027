"""End to end, the real bot against the strict fake: Telegram's faults (issue 10)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.notify import texts
from tests.e2e.conftest import (
    ASSIGNEE,
    DISPATCHER,
    MUNICIPAL_GROUP,
    RESIDENT,
    BotProcess,
    always_open_config,
)
from tests.e2e.test_bot import number_of, press, report, say
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e

BASIC_GROUP, SUPERGROUP = -4001, -1004001000001


def count(fake: FakeTelegram, chat_id: int, words: str) -> int:
    return sum(words in (m.text or "") for m in fake.messages_to(chat_id))


async def test_a_telegram_outage_loses_nothing(fake: FakeTelegram,
                                               running_bot: BotProcess) -> None:
    await say(fake, RESIDENT, "/new", "请描述")
    await say(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天", "照片")
    await say(fake, RESIDENT, "完成", "在哪里")
    await say(fake, RESIDENT, "瑞祥社区3号楼东侧", "联系电话")
    summary = await say(fake, RESIDENT, "跳过", "确认提交")
    outage = fake.inject_fault(method="sendMessage", status=502, count=25)
    fake.press(RESIDENT, summary, "✅ 确认提交")      # the answer with the number: a 502
    done = await fake.wait_for(RESIDENT, contains="已提交", timeout=60)
    assert outage.hits == 25 and outage not in fake._rules
    number = number_of(done)
    await fake.wait_for(ASSIGNEE, contains=number)
    await fake.wait_for(MUNICIPAL_GROUP, contains=number)
    assert count(fake, RESIDENT, "已提交") == 1
    assert count(fake, RESIDENT, "稍后再试") == 0


async def test_an_update_delivered_twice_is_handled_once(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    await say(fake, RESIDENT, "/new", "请描述")
    await say(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天", "照片")
    await say(fake, RESIDENT, "完成", "在哪里")
    await say(fake, RESIDENT, "瑞祥社区3号楼东侧", "联系电话")
    summary = await say(fake, RESIDENT, "跳过", "确认提交")
    await press(fake, RESIDENT, summary, "✅ 确认提交", "已提交")
    fake.redeliver_last(3)
    await fake.wait_updates_consumed()
    number = await report(fake, RESIDENT, "和平里小区门口下水道堵了")   # the bot goes on
    assert number.endswith("-0002")
    assert count(fake, RESIDENT, "已提交") == 2


async def test_an_answer_that_writes_nothing_is_not_given_twice(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    await say(fake, RESIDENT, "/help", "怎样反映问题")   # recorded before its answer
    fake.redeliver_last(1)
    await fake.wait_updates_consumed()
    await say(fake, RESIDENT, "/new", "请描述")   # the bot goes on
    assert count(fake, RESIDENT, "怎样反映问题") == 1
    assert "Traceback" not in running_bot.output()


async def test_a_department_nobody_can_reach_is_reported_to_the_office(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    fake.add_user(ASSIGNEE, "王师傅", opened=False)
    fake.kick_bot(MUNICIPAL_GROUP)
    number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
    await fake.wait_for(DISPATCHER, contains=f"的群聊已移除本机器人；任务 {number} 未能送达")
    await fake.wait_for(DISPATCHER, contains="从未打开过本机器人")
    offer = await fake.wait_for(DISPATCHER, contains="无人能收到")
    assert number in (offer.text or "") and offer.buttons


async def test_a_group_upgraded_to_a_supergroup_gets_the_card(
        fake: FakeTelegram, bot_env: dict[str, str], tmp_path: Path) -> None:
    data_departments = [{"code": "municipal", "name": "市政公用局", "chat_id": BASIC_GROUP,
                         "supervisor": 1101}]
    from tests.conftest import demo_config_data
    departments = data_departments + [d for d in demo_config_data()["departments"]
                                      if d["code"] != "municipal"]
    config = always_open_config(tmp_path / "basic.yaml", departments=departments)
    env = {**bot_env, "LIANXIN_CONFIG": str(config)}
    fake.add_group(BASIC_GROUP, "市政公用局工作群")
    fake.migrate_group(BASIC_GROUP, SUPERGROUP)
    bot = BotProcess(env, tmp_path)
    await bot.start()
    try:
        await fake.wait_polling(timeout=60)
        number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
        await fake.wait_for(SUPERGROUP, contains=number, timeout=30)
        second = await report(fake, RESIDENT, "和平里路灯不亮了，晚上黑漆漆的")
        await fake.wait_for(SUPERGROUP, contains=second, timeout=30)
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output(), bot.output()


async def test_sigkill_while_the_assignees_chat_fails_then_the_card_arrives(
        fake: FakeTelegram, bot_env: dict[str, str], tmp_path: Path) -> None:
    bot = BotProcess(bot_env, tmp_path)
    await bot.start()
    try:
        await fake.wait_polling(timeout=60)
        failing = fake.inject_fault(chat_id=ASSIGNEE, status=502)
        number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
        await fake.wait_until(lambda: failing.hits >= 2, timeout=30)
        await bot.kill()
        fake.clear_faults(failing)
        await bot.start()
        await fake.wait_for(ASSIGNEE, contains=number, timeout=90)
        assert count(fake, ASSIGNEE, number) == 1
    finally:
        await bot.stop()


async def test_25_residents_at_once_to_one_department_without_a_429(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    residents = [7000 + i for i in range(25)]
    for user in residents:
        fake.add_user(user, f"居民{user}")
    numbers = await asyncio.gather(*(report(fake, user, f"瑞祥社区{user}号楼门口的路灯坏了",
                                            f"瑞祥社区{user}号楼门口") for user in residents))
    for number in numbers:
        await fake.wait_for(ASSIGNEE, contains=number, timeout=120)
        await fake.wait_for(MUNICIPAL_GROUP, contains=number, timeout=120)
    assert fake.rate_limited() == 0


async def test_a_reply_that_waited_in_the_outbox_keeps_its_reply_keyboard(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    await say(fake, RESIDENT, "/new", "请描述")
    await say(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天", "照片")
    failed = fake.inject_fault(method="sendMessage", chat_id=RESIDENT, status=502, count=1)
    where = await say(fake, RESIDENT, "完成", "在哪里")   # queued, then sent by the outbox
    assert failed.hits == 1
    assert where.reply_buttons == [texts.BTN_LOCATION, texts.BTN_NO_PLACE]
    await say(fake, RESIDENT, texts.BTN_NO_PLACE, "联系电话")   # the keyboard works


async def test_a_group_that_adds_the_bot_back_is_reported_again_when_lost(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    lost = "市政公用局 的群聊已移除本机器人；任务 {}"
    fake.kick_bot(MUNICIPAL_GROUP)
    first = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
    await fake.wait_for(DISPATCHER, contains=lost.format(first))
    fake.add_bot(MUNICIPAL_GROUP)        # my_chat_member: reachable again
    fake.kick_bot(MUNICIPAL_GROUP)
    second = await report(fake, RESIDENT, "和平里路灯不亮了，晚上黑漆漆的")
    await fake.wait_for(DISPATCHER, contains=lost.format(second))
    assert count(fake, DISPATCHER, "的群聊已移除本机器人") == 2
