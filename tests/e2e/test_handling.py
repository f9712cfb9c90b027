"""End to end: an assignee works a task by chat (list, extension, co-handling, restricted)
and the office decides, through the real bot and the strict fake."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ASSIGNEE, DISPATCHER, RESIDENT, WATER_ASSIGNEE, BotProcess
from tests.e2e.test_bot import press, report, say
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e


async def test_an_assignee_works_a_task_and_the_office_decides(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    first = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了")
    second = await report(fake, RESIDENT, "瑞祥社区5号楼路灯也不亮了")
    card = await fake.wait_for(ASSIGNEE, contains=first)
    fake.press(ASSIGNEE, card, "接单")
    await fake.wait_edit(card, contains="已接单")

    # /tasks: the accepted task and the one waiting in the department
    tasks = await say(fake, ASSIGNEE, "/tasks", "我的工单")
    assert first in (tasks.text or "") and second in (tasks.text or "")

    # 申请延期 → the office approves → the resident hears the new date
    await press(fake, ASSIGNEE, card, "申请延期", "工作日数")
    await say(fake, ASSIGNEE, "3 需等待配件到货", "已提交")
    request = await fake.wait_for(DISPATCHER, contains="需等待配件到货")
    fake.press(DISPATCHER, request, "同意延期")
    await fake.wait_for(RESIDENT, contains="延至")
    await fake.wait_for(ASSIGNEE, contains="已同意")

    # 协办: the office adds the water department; its assignee posts its part to the lead
    found = await say(fake, DISPATCHER, f"/find {first}", "办理记录")
    assert "申请延期" in (found.text or "") and "同意延期" in (found.text or "")
    fake.press(DISPATCHER, found, "添加协办部门…")
    await fake.wait_edit(found)
    fake.press(DISPATCHER, found, "水务局")
    co_card = await fake.wait_for(WATER_ASSIGNEE, contains="协办")
    await press(fake, WATER_ASSIGNEE, co_card, "提交协办意见", "协办意见")
    await say(fake, WATER_ASSIGNEE, "供水管线不受影响", "已转给主办部门")
    await fake.wait_for(ASSIGNEE, contains="供水管线不受影响")

    # 疑难受限: the resident receives the explanation; the old 办结 button shows the new state
    await press(fake, ASSIGNEE, card, "疑难受限", "暂时无法办理")
    await say(fake, ASSIGNEE, "该路段规划改造，路灯随工程统一更换", "疑难受限")
    await fake.wait_for(RESIDENT, contains="规划改造")
    await fake.wait_for(DISPATCHER, contains="规划改造")
    assert card.buttons == []   # spent by the explanation
    old = next(e for e in reversed(card.edits) if "办结" in e.buttons)
    stale = fake.press_data(ASSIGNEE, card, old.button_data("办结"))
    assert "状态已经变化" in (await fake.wait_callback_answer(stale))["text"]
    await fake.wait_edit(card, contains="疑难受限", after=2)
    assert card.buttons == []
    assert fake.errors_with(400) == []
