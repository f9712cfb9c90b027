"""Edited messages: before submission the description follows the edit; after, a hint."""

from __future__ import annotations

from bot.notify import render
from bot.services import Services, dialogs
from bot.services.incoming import Incoming, Kind
from tests.integration.helpers import (
    RESIDENT,
    number_in,
    press_draft,
    request_row,
    say,
    send,
    start,
)


async def edit(svc: Services, message_id: int, text: str) -> list:
    inp = Incoming(Kind.TEXT, text=text, message_id=message_id)
    return render.replies(await dialogs.on_edit(svc, user_id=RESIDENT, inp=inp))


async def test_an_edit_before_submission_replaces_the_description(services: Services) -> None:
    await start(services, RESIDENT)
    await send(services, RESIDENT, Incoming(Kind.TEXT, text="瑞祥社区路灯不量", message_id=7))
    assert "已按您修改" in (await edit(services, 7, "瑞祥社区3号楼路灯不亮"))[0].text
    for text in ("完成", "瑞祥社区3号楼"):
        await say(services, RESIDENT, text)
    summary = await say(services, RESIDENT, "跳过")
    assert "瑞祥社区3号楼路灯不亮" in summary[-1].text
    again = await edit(services, 7, "瑞祥社区3号楼路灯一直不亮")   # at the summary: shown again
    assert "路灯一直不亮" in again[-1].text and again[-1].buttons
    assert "多写几个字" in (await edit(services, 7, "灯"))[0].text   # refused, kept
    assert await edit(services, 8, "别的消息") == []   # not the description, no request yet
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    assert (await request_row(services, number)).description == "瑞祥社区3号楼路灯一直不亮"


async def test_an_edit_after_submission_gets_a_hint(services: Services) -> None:
    await start(services, RESIDENT)
    await send(services, RESIDENT, Incoming(Kind.TEXT, text="瑞祥社区路灯不亮", message_id=7))
    for text in ("完成", "瑞祥社区3号楼", "跳过"):
        await say(services, RESIDENT, text)
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    hint = await edit(services, 7, "瑞祥社区路灯一直不亮")
    assert "/my" in hint[0].text and "补充材料" in hint[0].text and number in hint[0].text
    assert (await request_row(services, number)).description == "瑞祥社区路灯不亮"
