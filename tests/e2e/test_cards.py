"""End to end: every copy of a card follows its task (the department's group and each
assignee's private chat), and a returned task is re-routed and accepted elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import (
    ASSIGNEE,
    DISPATCHER,
    LATECOMER,
    MUNICIPAL_GROUP,
    RESIDENT,
    WATER_ASSIGNEE,
    BotProcess,
    cli,
)
from tests.e2e.test_bot import press, report, say
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e

WORKING = ["办结", "进展", "申请延期", "疑难受限"]


async def test_accepting_in_a_private_chat_updates_the_group_and_the_colleague(
        fake: FakeTelegram, running_bot: BotProcess, bot_env: dict[str, str],
        tmp_path: Path) -> None:
    code, out = await cli(bot_env, tmp_path, "staff", "add", "--telegram-id", str(LATECOMER),
                          "--name", "小陈", "--role", "assignee", "--department", "municipal")
    assert code == 0, out
    number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了")
    mine = await fake.wait_for(ASSIGNEE, contains=number)
    theirs = await fake.wait_for(LATECOMER, contains=number)
    group = await fake.wait_for(MUNICIPAL_GROUP, contains=number)
    assert mine.buttons == theirs.buttons == group.buttons == ["接单", "退单"]

    fake.press(ASSIGNEE, mine, "接单")
    await fake.wait_edit(mine, contains="已接单")
    assert mine.buttons == WORKING
    await fake.wait_edit(theirs, contains="王师傅 已接单")
    assert theirs.buttons == [] and "联系人：张**" in (theirs.text or "")   # masked
    await fake.wait_edit(group, contains="王师傅 已接单")
    assert group.buttons == WORKING and "联系人：张**" in (group.text or "")

    # a 接单 already sent from the colleague's old card is told who took it; the group's
    # 办结 is the holder's only
    late = fake.press_data(LATECOMER, theirs, f"acc:{number}")
    assert "王师傅" in (await fake.wait_callback_answer(late))["text"]
    stale = fake.press(LATECOMER, group, "办结")
    assert "权限" in (await fake.wait_callback_answer(stale))["text"]
    # the late press finds its card showing the current state already: "not modified"
    assert [e.method for e in fake.errors_with(400)] == ["editMessageText"]
    assert "not modified" in fake.errors_with(400)[0].description


async def test_returned_rerouted_and_accepted_by_the_new_department(
        fake: FakeTelegram, running_bot: BotProcess) -> None:
    number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了")
    card = await fake.wait_for(ASSIGNEE, contains=number)
    group = await fake.wait_for(MUNICIPAL_GROUP, contains=number)

    # 退单 with a reason: the pressed card is spent, the group's copy keeps no buttons
    await press(fake, ASSIGNEE, card, "退单", "退单原因")
    await say(fake, ASSIGNEE, "这是自来水管的问题，不归路灯", "退回")
    await fake.wait_edit(card)
    assert card.buttons == []
    await fake.wait_edit(group, contains="待分派")
    assert group.buttons == []

    # the office re-routes from the returned card to the water department
    returned = await fake.wait_for(DISPATCHER, contains="这是自来水管的问题")
    fake.press(DISPATCHER, returned, "全部类别…")
    await fake.wait_edit(returned)
    fake.press(DISPATCHER, returned, "供水·水务局")
    await fake.wait_edit(returned, contains="已分派", after=1)

    # /find's card is a copy too
    found = await say(fake, DISPATCHER, f"/find {number}", "办理记录")
    assert "待接单" in (found.text or "") and found.buttons == ["添加协办部门…"]

    # its assignee accepts; the office's cards follow, the old department's copies stay dead
    water = await fake.wait_for(WATER_ASSIGNEE, contains=number)
    assert water.buttons == ["接单", "退单"]
    fake.press(WATER_ASSIGNEE, water, "接单")
    await fake.wait_edit(water, contains="已接单")
    assert water.buttons == WORKING
    await fake.wait_edit(returned, contains="李工 已接单", after=2)
    assert returned.buttons == ["添加协办部门…"]
    await fake.wait_edit(found, contains="李工 已接单")
    await fake.wait_edit(group, contains="正在办理", after=1)
    assert group.buttons == [] and card.buttons == []
    assert fake.errors_with(400) == []
