"""End to end: residents, an assignee and the office drive the real bot through the fake API."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable

import aiohttp
import pytest
from sqlalchemy import select

from bot.domain.model import Status
from storage.db import create_engine, session_factory
from storage.models import Request
from tests.e2e.conftest import (
    ASSIGNEE,
    DISPATCHER,
    LATECOMER,
    MUNICIPAL_GROUP,
    NEIGHBOUR,
    RESIDENT,
    BotProcess,
)
from tests.fakebot import FakeTelegram, SentMessage

pytestmark = pytest.mark.e2e


async def exchange(fake: FakeTelegram, user: int, act: Callable[[], object],
                   contains: str) -> SentMessage:
    """Do something as `user`, then wait for the bot's answer containing `contains`."""
    mark = fake.mark()
    act()
    return await fake.wait_for(user, contains=contains, since=mark)


async def say(fake: FakeTelegram, user: int, text: str, contains: str) -> SentMessage:
    return await exchange(fake, user, lambda: fake.send_text(user, text), contains)


async def press(fake: FakeTelegram, user: int, message: SentMessage, label: str,
                contains: str) -> SentMessage:
    return await exchange(fake, user, lambda: fake.press(user, message, label), contains)


async def report(fake: FakeTelegram, user: int, description: str,
                 address: str = "瑞祥社区3号楼东侧") -> str:
    """A whole report as a resident makes it; returns the request number. (Another
    resident's open report of the same problem at the same address is offered to join
    instead: give each resident their own address then.)"""
    await say(fake, user, "/new", "请描述")
    await say(fake, user, description, "照片")
    await say(fake, user, "完成", "在哪里")
    await say(fake, user, address, "联系电话")
    summary = await say(fake, user, "跳过", "确认提交")
    done = await press(fake, user, summary, "✅ 确认提交", "已提交")
    return number_of(done)


def number_of(message: SentMessage) -> str:
    match = re.search(r"\d{8}-\d{4}", message.text or "")
    assert match, message.text
    return match.group(0)


async def status_in_db(database_url: str, number: str) -> str:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        status = (await session.execute(
            select(Request.status).where(Request.number == number))).scalar_one()
    await engine.dispose()
    return status


async def test_the_whole_loop(fake: FakeTelegram, running_bot: BotProcess,
                              database_url: str) -> None:
    start = await say(fake, RESIDENT, "/start", "连心")
    assert "/new" in (start.text or "")
    assert [c["command"] for c in fake.commands["default"]] == ["new", "my", "help"]

    # the resident reports, with a photo, a shared location and their own phone
    await say(fake, RESIDENT, "/new", "请描述")
    await exchange(fake, RESIDENT, lambda: fake.send_sticker(RESIDENT), "文字、照片或语音")
    await say(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天，晚上黑漆漆的<很危险>", "照片")
    await exchange(fake, RESIDENT, lambda: fake.send_photo(RESIDENT), "已收到 1 张")
    await say(fake, RESIDENT, "完成", "在哪里")
    await exchange(fake, RESIDENT, lambda: fake.send_location(RESIDENT, 39.9087, 116.3975),
                   "联系电话")
    summary = await exchange(fake, RESIDENT,
                             lambda: fake.send_contact(RESIDENT, "+8613812340000"), "确认提交")
    assert "<很危险>" in (summary.text or "")
    number = number_of(await press(fake, RESIDENT, summary, "✅ 确认提交", "已提交"))

    # the department's assignee and group get the card; the photo follows
    card = await fake.wait_for(ASSIGNEE, contains=number)
    assert card.buttons == ["接单", "退单"] and "138****0000" in (card.text or "")
    await fake.wait_for(MUNICIPAL_GROUP, contains=number)
    await fake.wait_for(ASSIGNEE, predicate=lambda m: m.photo is not None)
    shared = await fake.wait_for(ASSIGNEE, predicate=lambda m: m.location is not None)
    assert shared.location == {"latitude": 39.9087, "longitude": 116.3975}
    assert "39.90870, 116.39750" in (card.text or "")

    # a resident forging the assignee's button, and garbage data, change nothing
    survey_chat = await say(fake, RESIDENT, "/my", number)
    forged = fake.press_data(RESIDENT, survey_chat, f"acc:{number}")
    assert "权限" in (await fake.wait_callback_answer(forged))["text"]
    garbage = fake.press_data(RESIDENT, survey_chat, "acc:20260101-0001:x")
    assert "失效" in (await fake.wait_callback_answer(garbage))["text"]
    assert await status_in_db(database_url, number) == Status.DISPATCHED

    # 接单: the card shows the phone and 办结; the resident is told
    fake.press(ASSIGNEE, card, "接单")
    await fake.wait_edit(card, contains="已接单")
    assert card.buttons == ["办结", "进展", "申请延期", "疑难受限"]
    assert "13812340000" in (card.text or "")
    await fake.wait_for(RESIDENT, contains="受理")

    # 办结 with an answer; the resident gets it with the survey, is unsatisfied
    await press(fake, ASSIGNEE, card, "办结", "答复内容")
    await say(fake, ASSIGNEE, "已更换灯泡 & 线路", "已办结")
    await fake.wait_edit(card, after=1)
    assert card.buttons == []   # 办结 is spent once the answer is in
    answer = await fake.wait_for(RESIDENT, contains="已更换灯泡 & 线路")
    assert answer.buttons == ["满意", "基本满意", "不满意"]
    await press(fake, RESIDENT, answer, "不满意", "哪里不满意")
    await say(fake, RESIDENT, "灯还是一闪一闪的", "重新办理")
    await fake.wait_edit(answer)
    assert answer.buttons == []

    # back to the same department with the reason; done again; now satisfied
    again = await fake.wait_for(ASSIGNEE, contains="灯还是一闪一闪的")
    fake.press(ASSIGNEE, again, "接单")
    await fake.wait_edit(again, contains="已接单")
    await press(fake, ASSIGNEE, again, "办结", "答复内容")
    await say(fake, ASSIGNEE, "已更换整套灯具", "已办结")
    second = await fake.wait_for(RESIDENT, contains="已更换整套灯具")
    await press(fake, RESIDENT, second, "满意", "感谢您的评价")
    assert await status_in_db(database_url, number) == Status.CLOSED
    assert fake.errors_with(400) == []


async def test_triaged_request_is_routed_by_the_dispatcher(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    number = await report(fake, NEIGHBOUR, "你好，我想反映个情况，麻烦帮忙看看")
    triage = await fake.wait_for(DISPATCHER, contains=number)
    assert triage.buttons[-1] == "全部类别…"
    fake.press(DISPATCHER, triage, "全部类别…")
    await fake.wait_edit(triage)
    fake.press(DISPATCHER, triage, "路灯照明·市政公用局")
    await fake.wait_edit(triage, contains="已分派", after=1)
    assert triage.buttons == ["添加协办部门…"]
    card = await fake.wait_for(ASSIGNEE, contains=number)
    assert card.buttons == ["接单", "退单"]

    # the assignee returns it with a reason; the office routes it again
    await press(fake, ASSIGNEE, card, "退单", "退单原因")
    await say(fake, ASSIGNEE, "小区内部路灯归物业管理", "退回")
    returned = await fake.wait_for(DISPATCHER, contains="小区内部路灯归物业管理")
    fake.press(DISPATCHER, returned, "全部类别…")
    await fake.wait_edit(returned)
    fake.press(DISPATCHER, returned, "物业服务·住房和城乡建设局")
    await fake.wait_edit(returned, contains="住房和城乡建设局", after=1)
    blocked = await fake.wait_error(status=403)   # housing's assignee never opened the chat
    assert blocked.chat_id == 1004

    # staff get their own command menu once they have opened the chat
    await say(fake, DISPATCHER, "/start", "派单员")
    assert "cancel" in [c["command"] for c in fake.commands[f"chat:{DISPATCHER}"]]
    assert fake.errors_with(400) == []


async def test_a_report_survives_sigkill(fake: FakeTelegram, running_bot: BotProcess) -> None:
    await say(fake, LATECOMER, "/new", "请描述")
    await say(fake, LATECOMER, "和平里小区下水道堵了，污水冒到路面上", "照片")
    await running_bot.kill()
    fake.send_text(LATECOMER, "完成")   # arrives while the bot is down
    await running_bot.start()
    await fake.wait_for(LATECOMER, contains="在哪里")
    await say(fake, LATECOMER, "和平里5号楼", "联系电话")
    summary = await say(fake, LATECOMER, "跳过", "确认提交")
    assert "和平里小区下水道堵了" in (summary.text or "")
    number_of(await press(fake, LATECOMER, summary, "✅ 确认提交", "已提交"))
    assert fake.errors_with(400) == []


async def test_starts_and_answers_through_telegram_faults(
        fake: FakeTelegram, bot_env: dict[str, str], tmp_path) -> None:
    fake.fail_next("getMe", status=502, count=2)   # Telegram is down as the bot starts
    bot = BotProcess(bot_env, tmp_path)
    await bot.start()
    try:
        await fake.wait_polling(timeout=60)
        fake.drop_next("getUpdates")                # the next polls: a dropped connection,
        fake.fail_next("getUpdates", status=500)    # then a server error
        await say(fake, RESIDENT, "/start", "连心")
        await fake.wait_error(status=500, method="getUpdates")
        await say(fake, RESIDENT, "/help", "怎样反映问题")   # still polling, still answering
        assert fake.dropped == ["getUpdates"]
        assert [e.method for e in fake.errors_with(502)] == ["getMe", "getMe"]
        assert fake.errors_with(400) == []
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output()


async def listening(port: int, timeout: float = 20.0) -> None:
    """Wait until something accepts connections on the port (no event to wait on there)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def test_webhook_mode_checks_the_secret(fake: FakeTelegram, bot_env: dict[str, str],
                                              tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = BotProcess(bot_env, tmp_path, "--webhook", "https://bot.example.org/telegram",
                     "--listen", f"127.0.0.1:{port}")
    await bot.start()
    try:
        await fake.wait_until(lambda: bool(fake.webhook_secret), timeout=60)
        assert fake.webhook_url == "https://bot.example.org/telegram"
        await listening(port)
        fake.send_text(RESIDENT, "/start")
        update = fake.take_updates()[0]
        local = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            forged = await http.post(local, json=update)
            assert forged.status == 403                 # no secret: refused
            mark = fake.mark()
            real = await http.post(local, json=update, headers={
                "X-Telegram-Bot-Api-Secret-Token": fake.webhook_secret})
            assert real.status == 200
        await fake.wait_for(RESIDENT, contains="连心", since=mark)
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output()
