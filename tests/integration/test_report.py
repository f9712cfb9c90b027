"""The report conversation: every step, wrong input, editing, cancel, Traditional."""

from __future__ import annotations

from bot.domain.model import Rating
from bot.notify import render
from bot.notify.replies import Keyboard
from bot.services import Services, dialogs
from bot.services.incoming import Incoming, Kind
from storage.models import Conversation, Request
from tests.integration.helpers import (
    ASSIGNEE,
    RESIDENT,
    accept,
    ask,
    count,
    number_in,
    press_draft,
    rate,
    report_request,
    request_row,
    resolve,
    say,
    send,
    start,
)


async def test_wrong_input_at_each_step_gets_a_prompt(services: Services) -> None:
    await start(services, RESIDENT)
    sticker = await send(services, RESIDENT, Incoming(Kind.OTHER))
    assert "文字、照片或语音" in sticker[0].text
    assert "太长" in (await say(services, RESIDENT, "路" * 20_000))[0].text
    assert "多写几个字" in (await say(services, RESIDENT, "   "))[0].text
    photo_only = await send(services, RESIDENT, Incoming(Kind.PHOTO, file_id="p1"))
    assert "说明" in photo_only[0].text
    moved = await say(services, RESIDENT, "和平里小区门口下水道堵了，污水流到路上")
    assert moved[-1].keyboard == Keyboard.PHOTOS
    assert "照片" in (await say(services, RESIDENT, "随便说点"))[0].text
    await send(services, RESIDENT, Incoming(Kind.PHOTO, file_id="p2", media_group="g"))
    quiet = await send(services, RESIDENT, Incoming(Kind.PHOTO, file_id="p3", media_group="g"))
    assert quiet == []   # one answer per album
    address = await say(services, RESIDENT, "完成")
    assert address[-1].keyboard == Keyboard.LOCATION
    assert "地址" in (await send(services, RESIDENT, Incoming(Kind.OTHER)))[0].text
    phone = await send(services, RESIDENT, Incoming(Kind.LOCATION, latitude=39.92,
                                                    longitude=116.41))
    assert phone[-1].keyboard == Keyboard.CONTACT
    other = await send(services, RESIDENT, Incoming(Kind.CONTACT, phone="13900000000",
                                                    contact_user_id=42))
    assert "本人" in other[0].text
    assert "不对" in (await say(services, RESIDENT, "12345"))[0].text
    summary = await send(services, RESIDENT, Incoming(Kind.CONTACT, phone="+8613900000000",
                                                      contact_user_id=RESIDENT))
    assert "13900000000" in summary[-1].text and "3 张" in summary[-1].text
    assert "39.92000, 116.41000" in summary[-1].text
    assert "确认提交" in (await say(services, RESIDENT, "好了吗"))[0].text
    outcome = await press_draft(services, RESIDENT, "ok")
    number = outcome.replies[0].text.split("<b>")[1].split("</b>")[0]
    req = await request_row(services, number)
    assert (req.latitude, req.longitude, req.phone) == (39.92, 116.41, "13900000000")
    assert await count(services, Conversation) == 0


async def test_edit_returns_to_the_summary(services: Services) -> None:
    await start(services, RESIDENT)
    for text in ("瑞祥社区路灯不亮", "完成", "瑞祥社区1号楼", "跳过"):
        await say(services, RESIDENT, text)
    fields = await press_draft(services, RESIDENT, "edit")
    assert [row[0][0] for row in fields.buttons] == ["问题描述", "照片", "地点", "联系电话"]
    asked = await press_draft(services, RESIDENT, "address")
    assert asked.replies[0].keyboard == Keyboard.LOCATION
    summary = await say(services, RESIDENT, "瑞祥社区2号楼北门")
    assert "瑞祥社区2号楼北门" in summary[-1].text and summary[-1].buttons


async def test_the_summary_is_one_message_and_what_follows_takes_the_keyboard_away(
        services: Services) -> None:
    for choice in ("ok", "cancel"):
        await start(services, RESIDENT)
        for text in ("瑞祥社区路灯不亮", "完成", "瑞祥社区1号楼"):
            await say(services, RESIDENT, text)
        summary = await say(services, RESIDENT, "跳过")
        assert len(summary) == 1   # one message: 50 residents at once stay within 30/s
        assert summary[0].text.startswith("好的，请核对") and summary[0].buttons
        outcome = await press_draft(services, RESIDENT, choice)
        assert [r.keyboard for r in outcome.replies] == [Keyboard.REMOVE]


async def test_cancel_at_any_step_and_a_stale_summary(services: Services) -> None:
    await start(services, RESIDENT)
    await say(services, RESIDENT, "瑞祥社区路灯不亮")
    assert "取消" in render.reply(await dialogs.cancel(services, user_id=RESIDENT)).text
    assert await count(services, Conversation) == 0
    assert "没有进行中" in render.reply(await dialogs.cancel(services, user_id=RESIDENT)).text
    stale = await press_draft(services, RESIDENT, "ok")
    assert stale.notice and stale.buttons == ()
    assert await count(services, Request) == 0


async def test_writing_starts_a_report_and_traditional_is_answered_in_kind(
        services: Services) -> None:
    replies = await say(services, RESIDENT, "瑞祥社區的路燈壞了好幾天")
    assert replies[-1].keyboard == Keyboard.PHOTOS
    assert "照片" in replies[-1].text and "張" in replies[-1].text   # Traditional
    for text in ("完成", "瑞祥社區3號樓", "跳过"):
        await say(services, RESIDENT, text)
    outcome = await press_draft(services, RESIDENT, "ok")
    assert "已提交" in outcome.replies[0].text and "編號" in outcome.replies[0].text


async def test_voice_is_a_description(services: Services) -> None:
    await start(services, RESIDENT)
    replies = await send(services, RESIDENT, Incoming(Kind.VOICE, file_id="v1"))
    assert replies[-1].keyboard == Keyboard.PHOTOS


async def test_staff_writing_without_a_task_is_pointed_to_the_cards(services: Services) -> None:
    assert "工单" in (await say(services, 1001, "你好"))[0].text


async def test_an_unanswered_question_expires(services: Services, clock) -> None:
    number, other = [number_in(await report_request(services, "瑞祥社区路灯不亮"))
                     for _ in range(2)]
    for each in (number, other):
        await accept(services, ASSIGNEE, each)
        await resolve(services, ASSIGNEE, each, answer="已修复")
    await ask(services, RESIDENT, number, "reopen")
    await rate(services, RESIDENT, other, rating=Rating.SATISFIED)
    assert await count(services, Conversation) == 1    # another request's question stays
    clock.advance(minutes=31)
    replies = await say(services, RESIDENT, "青年路社区的垃圾站好几天没人清运了")
    assert replies[-1].keyboard == Keyboard.PHOTOS     # a new report, not a reopen reason
    assert (await request_row(services, number)).status == "resolved"
