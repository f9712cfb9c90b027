"""/my: pages, the detail view, 补充材料, 撤回 (confirmed), 催办 (once a day), 评价."""

from __future__ import annotations

import pytest

from bot.domain.errors import NotAllowed, TooSoon, UnknownRequest, WrongState
from bot.domain.model import Status
from bot.notify import callbacks, render
from bot.services import Services, my
from bot.services.incoming import Incoming, Kind
from storage.models import Attachment, Request
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    MUNICIPAL_GROUP,
    RESIDENT,
    accept,
    count,
    ledger,
    number_in,
    outbox,
    report_request,
    request_row,
    resolve,
    say,
    send,
    withdraw,
)


async def detail(svc: Services, number: str, user: int = RESIDENT):
    return render.my_detail(svc.config, await my.detail(svc, actor_id=user, number=number))


def labels(reply) -> list[str]:
    return [label for row in reply.buttons for label, _data in row]


async def test_the_list_comes_in_pages(services: Services) -> None:
    numbers = [number_in(await report_request(services, f"瑞祥社区路灯不亮第{i}盏"))
               for i in range(7)]
    text, buttons = render.my_requests(await my.my_page(services, resident_id=RESIDENT))
    assert "共 7 条，第 1/2 页" in text and numbers[-1] in text and numbers[0] not in text
    assert [data for _label, data in buttons[-1]] == ["myp:1"] and len(buttons) == 6
    text, _ = render.my_requests(await my.my_page(services, resident_id=RESIDENT, page=1))
    assert numbers[0] in text and "第 2/2 页" in text
    stale = await my.my_page(services, resident_id=RESIDENT, page=9)   # an old 下一页
    assert (stale.page, stale.first, len(stale.items)) == (1, 6, 2)
    empty, none = render.my_requests(await my.my_page(services, resident_id=ASSIGNEE))
    assert "还没有提交过" in empty and none == ()


async def test_the_detail_shows_history_department_deadline_and_actions(
        services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    waiting = await detail(services, number)
    assert "待接单" in waiting.text and "市政" in waiting.text and "答复时限" in waiting.text
    assert "您提交了诉求" in waiting.text and "王师傅" not in waiting.text
    assert labels(waiting) == ["📎 补充材料", "⏰ 催办", "撤回", "« 返回列表"]
    await accept(services, ASSIGNEE, number)
    working = await detail(services, number)
    assert "办理部门已接单" in working.text and "王师傅" not in working.text
    assert labels(working) == ["📎 补充材料", "⏰ 催办", "« 返回列表"]
    await resolve(services, ASSIGNEE, number, "已修复")
    assert labels(await detail(services, number)) == ["📎 补充材料", "评价", "« 返回列表"]
    with pytest.raises(UnknownRequest):   # another resident's request is not shown
        await my.detail(services, actor_id=RESIDENT + 1, number=number)


async def test_added_information_reaches_the_holder_and_the_ledger(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    asked = render.reply(await my.ask_more(services, user_id=RESIDENT, number=number))
    assert "补充" in asked.text
    assert "文字、照片或语音" in (await send(services, RESIDENT, Incoming(Kind.OTHER)))[0].text
    thanks = await say(services, RESIDENT, "灯杆上的编号是 A-17")
    assert "已补充" in thanks[0].text
    notices = await outbox(services, kind="add_info")
    assert {n.chat_id for n in notices} == {ASSIGNEE, MUNICIPAL_GROUP}   # the department
    assert all("A-17" in (n.text or "") for n in notices)
    await accept(services, ASSIGNEE, number)
    await my.ask_more(services, user_id=RESIDENT, number=number)
    await send(services, RESIDENT, Incoming(Kind.PHOTO, file_id="ph1", text="现场照片"))
    photo_rows = await outbox(services, kind="add_info_media")
    assert [(r.chat_id, r.photos) for r in photo_rows] == [(ASSIGNEE, ["ph1"])]   # the acceptor
    await my.ask_more(services, user_id=RESIDENT, number=number)
    await send(services, RESIDENT, Incoming(Kind.VOICE, file_id="vo1"))
    assert [r.voice for r in await outbox(services, kind="add_info_voice")] == ["vo1"]
    assert await count(services, Attachment) == 2
    kinds = [k for k, _f, _t in await ledger(services, number)]
    assert kinds.count("add_info") == 3


async def test_added_information_in_triage_goes_to_the_office(services: Services) -> None:
    number = number_in(await report_request(services, "我想咨询一下", address="不涉及具体地点"))
    assert (await request_row(services, number)).status == Status.TRIAGE
    await my.ask_more(services, user_id=RESIDENT, number=number)
    await say(services, RESIDENT, "是关于医保报销的")
    assert {n.chat_id for n in await outbox(services, kind="add_info")} == {DISPATCHER}


async def test_withdraw_asks_first_then_withdraws(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    question = await my.check_withdraw(services, actor_id=RESIDENT, number=number)
    assert "确定要撤回" in render.reply(question).text
    assert (await request_row(services, number)).status == Status.DISPATCHED
    assert render.withdraw_confirmation(number)[0][0][1] == callbacks.encode(
        callbacks.WITHDRAW, number)
    await withdraw(services, RESIDENT, number)
    shown = await detail(services, number)
    assert "您撤回了诉求" in shown.text and labels(shown) == ["« 返回列表"]
    with pytest.raises(WrongState):   # a second press of the old question
        await my.check_withdraw(services, actor_id=RESIDENT, number=number)


async def test_withdraw_is_refused_after_acceptance_and_to_others(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    with pytest.raises(NotAllowed):
        await my.check_withdraw(services, actor_id=RESIDENT + 1, number=number)
    await accept(services, ASSIGNEE, number)
    with pytest.raises(WrongState):
        await my.check_withdraw(services, actor_id=RESIDENT, number=number)


async def test_urge_once_a_day_counted_and_told_to_the_holder(services: Services,
                                                              clock) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await accept(services, ASSIGNEE, number)
    assert "已为诉求" in render.reply(await my.urge(services, actor_id=RESIDENT,
                                                    number=number)).text
    clock.advance(hours=23)
    with pytest.raises(TooSoon):
        await my.urge(services, actor_id=RESIDENT, number=number)
    clock.advance(hours=1)
    await my.urge(services, actor_id=RESIDENT, number=number)
    req: Request = await request_row(services, number)
    assert req.urge_count == 2
    urges = await outbox(services, kind="urge")
    assert [u.chat_id for u in urges] == [ASSIGNEE, ASSIGNEE] and "第 2 次" in urges[1].text
    assert [k for k, _f, _t in await ledger(services, number)].count("urge") == 2
    await resolve(services, ASSIGNEE, number, "已修复")
    clock.advance(hours=25)
    with pytest.raises(WrongState):   # answered: nothing to urge
        await my.urge(services, actor_id=RESIDENT, number=number)


async def test_rate_again_only_after_the_answer(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    with pytest.raises(WrongState):
        await my.survey_again(services, actor_id=RESIDENT, number=number)
    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number, "已修复")
    assert "评价" in render.reply(await my.survey_again(services, actor_id=RESIDENT,
                                                        number=number)).text


async def test_an_album_is_added_whole_and_then_messages_are_new(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await my.ask_more(services, user_id=RESIDENT, number=number)
    album = [Incoming(Kind.PHOTO, file_id=f"a{i}", media_group="g1") for i in range(3)]
    assert "已补充" in (await send(services, RESIDENT, album[0]))[0].text
    assert await send(services, RESIDENT, album[1]) == []   # one answer per album
    assert await send(services, RESIDENT, album[2]) == []
    assert await count(services, Attachment) == 3
    replies = await say(services, RESIDENT, "青年路社区垃圾站好几天没人清运了")
    assert replies[-1].keyboard is not None   # a new report, not more information
    assert [k for k, _f, _t in await ledger(services, number)].count("add_info") == 3


async def test_the_detail_is_in_traditional_for_who_writes_it(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社區的路燈壞了好幾天"))
    shown = await detail(services, number)
    assert "辦理經過" in shown.text and "📎 補充材料" in labels(shown)
