"""Residents' access (issue 12): the daily limit, blocked residents flagged to triage,
Traditional Chinese from the Telegram language, voice in place of text, and grid workers
filing for residents by phone (代报)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.config import Residents
from bot.domain.errors import UnknownRequest
from bot.domain.model import Rating, Role, Status
from bot.notify import texts
from bot.notify.replies import Keyboard
from bot.services import Services, access, my, privacy, report
from bot.services.incoming import Incoming, Kind
from storage.models import Attachment, Event, Request, Resident
from tests.conftest import Clock
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    RESIDENT,
    accept,
    ask,
    count,
    number_in,
    outbox,
    press_draft,
    rate,
    report_request,
    request_row,
    resolve,
    say,
    send,
    start,
)

GRID = 1031   # 刘网格员 (role grid in the demo config)
STREETLIGHT = "瑞祥社区3号楼门口的路灯坏了，晚上很黑"


async def test_the_eleventh_report_of_a_day_is_refused_and_the_next_day_allowed(
        services: Services, clock: Clock) -> None:
    for _ in range(10):
        number_in(await report_request(services, STREETLIGHT))
    refused = await start(services, RESIDENT)
    assert len(refused) == 1
    assert "今天已经反映了 10 件诉求" in refused[0].text and "12345" in refused[0].text
    written = await say(services, RESIDENT, "楼下又有人乱停车，堵住了消防通道")
    assert "今天已经反映了 10 件诉求" in written[0].text   # writing does not start one either
    assert await count(services, Request) == 10

    clock.advance(days=1)
    assert "请描述您遇到的问题" in (await start(services, RESIDENT))[0].text
    number_in(await report_request(services, STREETLIGHT))
    assert await count(services, Request) == 11


async def test_a_blocked_residents_report_goes_to_triage_flagged(services: Services) -> None:
    await access.block_resident(services, resident_id=RESIDENT, reason="多次恶意重复反映")
    outcome = await report_request(services, STREETLIGHT)
    reply = outcome.replies[0].text
    assert texts.SUBMITTED_TRIAGE in reply and "多次恶意" not in reply   # answered neutrally
    number = number_in(outcome)
    req = await request_row(services, number)
    assert (req.status, req.department, req.flag) == (Status.TRIAGE, None, "多次恶意重复反映")
    async with services.sessions() as session:
        event = (await session.execute(select(Event).where(
            Event.request_id == req.id))).scalar_one()
    assert (event.kind, event.to_status, event.detail["flagged"]) == (
        "submit", "triage", "多次恶意重复反映")
    card = (await outbox(services, chat_id=DISPATCHER, kind="triage_card"))[0]
    assert "已标记</b>：多次恶意重复反映" in (card.text or "")
    assert await outbox(services, kind="task_card") == []   # never straight to a department

    assert await access.unblock_resident(services, resident_id=RESIDENT)
    assert not await access.unblock_resident(services, resident_id=RESIDENT)
    routed = await request_row(services, number_in(await report_request(services, STREETLIGHT)))
    assert (routed.status, routed.department, routed.flag) == (
        Status.DISPATCHED, "municipal", None)
    assert await access.blocked_residents(services) == []


@pytest.mark.parametrize("language", ["zh-hant", "zh-HK", "zh-TW", "zh_tw", "zh-Hant-TW"])
async def test_a_traditional_telegram_language_reads_traditional_from_the_first_reply(
        services: Services, language: str) -> None:
    first = await send(services, RESIDENT, Incoming(Kind.TEXT, text=STREETLIGHT,
                                                    language=language))
    assert "現場照片" in first[-1].text and first[-1].traditional   # the keyboard too
    assert first[-1].keyboard == Keyboard.PHOTOS
    await say(services, RESIDENT, "完成")
    await say(services, RESIDENT, "瑞祥社区3号楼东侧")
    summary = await say(services, RESIDENT, "跳過")   # the Traditional label of 跳过
    assert "確認提交" in summary[-1].text
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    assert (await request_row(services, number)).traditional
    await accept(services, ASSIGNEE, number)
    notice = (await outbox(services, chat_id=RESIDENT, kind="accepted"))[0]
    assert "您的訴求" in (notice.text or "")   # rendered at publish time, in Traditional
    # the preference is kept: /start, /help and /my answer in Traditional without the language
    assert (await access.reader(services, user_id=RESIDENT, language_code=None)).traditional
    assert (await my.my_page(services, resident_id=RESIDENT)).traditional


async def test_a_simplified_language_stays_simplified(services: Services) -> None:
    replies = render_texts(await report.start(services, user_id=RESIDENT, language="zh-hans"))
    assert "请描述您遇到的问题" in replies[0]
    assert await access.reader(services, user_id=RESIDENT, language_code="en") == access.Reader(
        Role.RESIDENT, traditional=False)


def render_texts(says: list) -> list[str]:
    from bot.notify import render

    return [r.text for r in render.replies(says)]


async def test_a_voice_description_goes_to_triage_and_the_office_hears_it(
        services: Services) -> None:
    await start(services, RESIDENT)
    photos = await send(services, RESIDENT, Incoming(Kind.VOICE, file_id="voice-what"))
    assert photos[-1].keyboard == Keyboard.PHOTOS
    await say(services, RESIDENT, "完成")
    phone = await send(services, RESIDENT, Incoming(Kind.VOICE, file_id="voice-where"))
    assert phone[-1].keyboard == Keyboard.CONTACT
    summary = await say(services, RESIDENT, "跳过")
    assert "地址见语音" in summary[-1].text and "（语音）" in summary[-1].text
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    req = await request_row(services, number)
    assert (req.description, req.address, req.status) == ("（语音）", "地址见语音", Status.TRIAGE)
    async with services.sessions() as session:
        kept = (await session.execute(select(Attachment.kind, Attachment.file_id).where(
            Attachment.request_id == req.id).order_by(Attachment.id))).all()
    assert [tuple(k) for k in kept] == [("voice", "voice-what"), ("voice", "voice-where")]
    rows = await outbox(services, chat_id=DISPATCHER)
    assert [r.kind for r in rows] == ["triage_card", "task_media", "task_media"]
    assert "（语音）" in (rows[0].text or "") and "地址见语音" in (rows[0].text or "")
    assert [r.voice for r in rows[1:]] == ["voice-what", "voice-where"]


async def test_a_grid_worker_files_for_a_phone_and_receives_the_answer(
        services: Services) -> None:
    refused = render_texts(await report.start_proxy(services, user_id=RESIDENT))
    assert refused == [texts.ONLY_GRID]
    asked = render_texts(await report.start_proxy(services, user_id=GRID))
    assert "居民的手机号" in asked[0]
    assert "不对" in (await say(services, GRID, "1234567"))[0].text
    assert "不对" in (await say(services, GRID, "12812345678"))[0].text   # not 1[3-9]
    assert "姓名" in (await say(services, GRID, "138 1234 5678"))[0].text
    assert "请描述" in (await say(services, GRID, "张阿姨"))[-1].text
    await say(services, GRID, STREETLIGHT)
    await say(services, GRID, "完成")
    summary = await say(services, GRID, "瑞祥社区3号楼东侧")   # no phone step: it is given
    assert "代报居民</b>：张阿姨（13812345678）" in summary[-1].text
    number = number_in(await press_draft(services, GRID, "ok", name="刘网格员"))
    req = await request_row(services, number)
    assert (req.resident_id, req.proxy, req.resident_name, req.phone, req.department) == (
        GRID, True, "张阿姨", "13812345678", "municipal")
    card = (await outbox(services, kind="task_card"))[0]
    assert "（网格员代报）" in (card.text or "")

    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number, "路灯已经修好了，感谢反映")
    for kind in ("accepted", "answer"):
        notice = (await outbox(services, chat_id=GRID, kind=kind))[0]
        assert (notice.text or "").startswith("代 张阿姨（138****5678）\n"), notice.text
    assert await outbox(services, chat_id=RESIDENT) == []
    await rate(services, GRID, number, Rating.SATISFIED)   # on the resident's word
    assert (await request_row(services, number)).status == Status.CLOSED


async def test_a_grid_workers_reports_do_not_count_against_the_daily_limit(
        services: Services) -> None:
    one_a_day = dataclasses.replace(services, config=services.config.model_copy(
        update={"residents": Residents(daily_reports=1)}))
    for phone in ("13800000001", "13800000002"):
        await report.start_proxy(one_a_day, user_id=GRID)
        for text in (phone, "王大爷", STREETLIGHT, "完成", "瑞祥社区3号楼东侧"):
            await say(one_a_day, GRID, text)
        number_in(await press_draft(one_a_day, GRID, "ok"))
    async with services.sessions() as session:
        assert await session.get(Resident, GRID) is None   # nothing kept of the worker
    assert "请描述" in (await start(one_a_day, GRID))[0].text
    number_in(await report_request(one_a_day, STREETLIGHT))
    assert "上限" in (await start(one_a_day, RESIDENT))[0].text   # 1 a day, as configured


async def test_a_reason_said_by_voice_reaches_the_department(services: Services) -> None:
    number = number_in(await report_request(services, STREETLIGHT))
    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number, "已经修好了")
    await ask(services, RESIDENT, number, "reopen")
    reopened = await send(services, RESIDENT, Incoming(Kind.VOICE, file_id="voice-why"))
    assert "打回重新办理" in reopened[0].text
    req = await request_row(services, number)
    assert req.status == Status.DISPATCHED
    rows = [r for r in await outbox(services, chat_id=ASSIGNEE)
            if r.kind in ("task_card", "task_card_voice")]
    assert "不满意原因</b>：（语音）" in (rows[-2].text or "")
    assert (rows[-1].kind, rows[-1].voice) == ("task_card_voice", "voice-why")


async def test_a_grid_worker_writing_is_pointed_to_proxy(services: Services) -> None:
    assert "/proxy" in (await say(services, GRID, "你好"))[0].text


async def test_a_resident_who_shares_that_phone_reads_the_grid_workers_report_in_my(
        services: Services) -> None:
    await report.start_proxy(services, user_id=GRID)
    for text in ("13812345678", "张阿姨", STREETLIGHT, "完成", "瑞祥社区3号楼东侧"):
        await say(services, GRID, text)
    filed = number_in(await press_draft(services, GRID, "ok"))
    assert (await my.my_page(services, resident_id=RESIDENT)).total == 0

    # a report of her own, her phone shared as her contact (Telegram vouches it is hers)
    await start(services, RESIDENT)
    for text in ("楼道里的灯也不亮了，上下楼看不清", "完成", "瑞祥社区5号楼二单元"):
        await say(services, RESIDENT, text)
    await send(services, RESIDENT, Incoming(Kind.CONTACT, phone="+8613812345678",
                                            contact_user_id=RESIDENT))
    own = number_in(await press_draft(services, RESIDENT, "ok"))
    page = await my.my_page(services, resident_id=RESIDENT)
    assert [v.number for v in page.items] == [own, filed]
    card = await my.detail(services, actor_id=RESIDENT, number=filed)
    assert card.actions == frozenset()   # to read: the grid worker acts on it
    # a neighbour who only typed that number sees nothing of it
    await report_request(services, STREETLIGHT, user=5002, phone="13812345678")
    assert filed not in [v.number for v in (await my.my_page(services, resident_id=5002)).items]
    with pytest.raises(UnknownRequest):
        await my.detail(services, actor_id=5002, number=filed)
    await privacy.erase(services, user_id=RESIDENT)
    assert (await my.my_page(services, resident_id=RESIDENT)).total == 1
