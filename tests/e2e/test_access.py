"""End to end, residents' access: a grid worker files for a resident by phone and carries
the answer back; a zh-TW resident reports by voice, in Traditional from /start on."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ASSIGNEE, DISPATCHER
from tests.e2e.test_bot import BotProcess, exchange, number_of, press, say
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e

GRID, TAIPEI = 1031, 5101   # 刘网格员 (demo config), a resident whose Telegram is in zh-TW


async def test_a_grid_worker_files_for_a_resident_and_gets_the_answer(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    fake.add_user(GRID, "刘网格员")
    start = await say(fake, GRID, "/start", "/proxy")
    assert "网格员代报" in (start.text or "")
    await say(fake, GRID, "/proxy", "居民的手机号")
    await say(fake, GRID, "1381234", "不对")
    await say(fake, GRID, "13812345678", "姓名")
    await say(fake, GRID, "张阿姨", "请描述")
    await say(fake, GRID, "瑞祥社区3号楼门口的路灯坏了，晚上黑漆漆的", "照片")
    await say(fake, GRID, "完成", "在哪里")
    summary = await say(fake, GRID, "瑞祥社区3号楼东侧", "确认提交")
    assert "代报居民：张阿姨（13812345678）" in (summary.text or "")
    number = number_of(await press(fake, GRID, summary, "✅ 确认提交", "已提交"))

    card = await fake.wait_for(ASSIGNEE, contains=number)
    assert "（网格员代报）" in (card.text or "")
    fake.press(ASSIGNEE, card, "接单")
    await fake.wait_edit(card, contains="已接单")
    accepted = await fake.wait_for(GRID, contains="受理")
    assert (accepted.text or "").startswith("代 张阿姨（138****5678）")
    await press(fake, ASSIGNEE, card, "办结", "答复内容")
    await say(fake, ASSIGNEE, "路灯已修复", "已办结")
    answer = await fake.wait_for(GRID, contains="路灯已修复")
    assert (answer.text or "").startswith("代 张阿姨（138****5678）")
    assert answer.buttons == ["满意", "基本满意", "不满意"]
    await press(fake, GRID, answer, "满意", "感谢")


async def test_a_zh_tw_resident_reports_by_voice_in_traditional(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    fake.add_user(TAIPEI, "陳太太", language_code="zh-TW")
    start = await say(fake, TAIPEI, "/start", "連心")
    assert "這裏是連心" in (start.text or "")   # OpenCC s2t
    await say(fake, TAIPEI, "/new", "請描述")
    photos = await exchange(fake, TAIPEI, lambda: fake.send_voice(TAIPEI), "照片")
    assert "現場照片" in (photos.text or "")
    where = await say(fake, TAIPEI, "完成", "在哪裏")
    assert "不涉及具體地點" in where.reply_buttons
    await exchange(fake, TAIPEI, lambda: fake.send_voice(TAIPEI), "聯繫電話")
    summary = await say(fake, TAIPEI, "跳過", "確認提交")
    assert "地址見語音" in (summary.text or "")
    number = number_of(await press(fake, TAIPEI, summary, "✅ 確認提交", "已提交"))

    # nobody could read it: the office gets it, and hears both voices after the card
    card = await fake.wait_for(DISPATCHER, contains=number)
    assert "（语音）" in (card.text or "")
    await fake.wait_until(lambda: len([m for m in fake.messages_to(DISPATCHER)
                                       if m.voice is not None]) == 2)
    assert fake.errors_with(400) == []
