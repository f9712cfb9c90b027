"""Duplicates (+1) and follow-ups: the same problem at the same place is offered to join;
a short "怎么还没人来" is offered to the resident's open requests."""

from __future__ import annotations

from sqlalchemy import select

from bot.notify import render
from bot.services import Services, dialogs, followup, my, privacy, report
from storage.models import Conversation, Event, OutboxMessage, Request, RequestSubscriber
from tests.integration.helpers import (
    ASSIGNEE,
    MUNICIPAL_GROUP,
    RESIDENT,
    accept,
    count,
    ledger,
    number_in,
    outbox,
    press_draft,
    report_request,
    request_row,
    resolve,
    say,
    shown,
    start,
    withdraw,
)

NEIGHBOUR = 5002


async def rows(svc: Services, model: type, *where: object) -> list:
    async with svc.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def up_to_address(svc: Services, user: int, text: str, address: str) -> list:
    """A report as far as its address; the replies to the address."""
    await start(svc, user)
    await say(svc, user, text)
    await say(svc, user, "完成")
    return await say(svc, user, address)


async def reported(svc: Services) -> str:
    return number_in(await report_request(svc, "瑞祥花园3栋门口的路灯不亮了",
                                          address="建国路88号瑞祥花园3栋"))


async def test_the_same_problem_at_the_same_building_is_offered_and_joined(
        services: Services) -> None:
    number = await reported(services)
    offered = await up_to_address(services, NEIGHBOUR, "路灯坏了好几天，晚上太黑",
                                  "瑞祥花园3号楼2单元")
    assert len(offered) == 1 and "附近已有相同问题正在办理" in offered[0].text
    assert number in offered[0].text and "路灯" in offered[0].text
    assert "已有 1 位居民反映" in offered[0].text
    assert [label for row in offered[0].buttons for label, _ in row] == ["👍 加入（+1）",
                                                                         "仍然新建"]
    assert "请点上方" in (await say(services, NEIGHBOUR, "13900000000"))[0].text   # one question
    joined = shown(await report.answer_similar(services, user_id=NEIGHBOUR, choice="join"))
    assert "已加入诉求" in joined.replies[0].text and "2 位居民" in joined.replies[0].text
    assert await count(services, Conversation) == 0 and await count(services, Request) == 1
    subscriber = (await rows(services, RequestSubscriber))[0]
    assert subscriber.resident_id == NEIGHBOUR
    assert (await request_row(services, number)).joined_count == 1
    join = (await rows(services, Event, Event.kind == "join"))[0]
    assert join.detail == {"count": 2, "text": "路灯坏了好几天，晚上太黑"}
    assert (await ledger(services, number))[-1] == ("join", "dispatched", "dispatched")
    told = await outbox(services, kind="joined")
    assert {o.chat_id for o in told} == {ASSIGNEE, MUNICIPAL_GROUP}   # the department holds it
    assert all("又有一位居民反映" in (o.text or "") and "涉及居民 2 人" in (o.text or "")
               for o in told)
    # the staff's card counts the residents affected; /my lists it for the neighbour
    assert "涉及居民</b>：2 人" in (await accept(services, ASSIGNEE, number)).text
    text, _buttons = render.my_requests(await my.my_page(services, resident_id=NEIGHBOUR))
    assert number in text and "已关注" in text
    card = await my.detail(services, actor_id=NEIGHBOUR, number=number)
    detail = render.my_detail(services.config, card)
    assert card.actions == frozenset() and "已关注" in detail.text
    assert "建国路88号" not in detail.text and "居民提交了诉求" in detail.text


async def test_still_filing_a_new_one_goes_on_and_is_not_asked_again(
        services: Services) -> None:
    number = await reported(services)
    await up_to_address(services, NEIGHBOUR, "路灯坏了好几天，晚上太黑", "瑞祥花园3栋")
    going_on = shown(await report.answer_similar(services, user_id=NEIGHBOUR, choice="new"))
    assert "联系电话" in going_on.replies[0].text
    await say(services, NEIGHBOUR, "跳过")
    await press_draft(services, NEIGHBOUR, "edit")
    await press_draft(services, NEIGHBOUR, "address")
    again = await say(services, NEIGHBOUR, "瑞祥花园3栋东侧")   # the same place: not asked twice
    assert not any("附近已有相同问题" in r.text for r in again)
    mine = number_in(await press_draft(services, NEIGHBOUR, "ok"))
    assert mine != number and await count(services, RequestSubscriber) == 0
    assert (await request_row(services, number)).joined_count == 0


async def test_no_offer_for_a_vague_place_another_building_or_ones_own(
        services: Services) -> None:
    await reported(services)
    for address in ("建国路和人民路路口", "小区门口", "不涉及具体地点", "瑞祥花园5栋"):
        replies = await up_to_address(services, NEIGHBOUR, "路灯坏了好几天，晚上太黑", address)
        assert "联系电话" in replies[-1].text, address
    # a different problem at the same building is not the same
    replies = await up_to_address(services, NEIGHBOUR, "楼下下水道堵了，污水漫出来",
                                  "瑞祥花园3栋")
    assert "联系电话" in replies[-1].text
    # the reporter's own request is never offered to them
    replies = await up_to_address(services, RESIDENT, "路灯还是不亮", "瑞祥花园3栋")
    assert "联系电话" in replies[-1].text


async def test_a_request_answered_meanwhile_cannot_be_joined(services: Services) -> None:
    number = await reported(services)
    await up_to_address(services, NEIGHBOUR, "路灯坏了好几天，晚上太黑", "瑞祥花园3栋")
    await withdraw(services, RESIDENT, number)
    late = shown(await report.answer_similar(services, user_id=NEIGHBOUR, choice="join"))
    assert "不能再加入" in late.replies[0].text and "联系电话" in late.replies[1].text
    assert await count(services, RequestSubscriber) == 0


async def test_followers_hear_progress_and_the_answer_but_not_the_survey(
        services: Services) -> None:
    number = await reported(services)
    await up_to_address(services, NEIGHBOUR, "路灯坏了好几天，晚上太黑", "瑞祥花园3栋")
    await report.answer_similar(services, user_id=NEIGHBOUR, choice="join")
    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number, "已更换灯泡")
    theirs = await outbox(services, chat_id=NEIGHBOUR)
    assert [o.kind for o in theirs] == ["accepted", "answer"]
    assert all("您关注（+1）的诉求" in (o.text or "") for o in theirs)
    assert "已更换灯泡" in (theirs[-1].text or "") and not theirs[-1].buttons   # no survey
    reporter = await outbox(services, chat_id=RESIDENT, kind="answer")
    assert reporter[0].buttons   # the survey (回访) stays with whoever reported it


async def test_erasure_unsubscribes_and_anonymises_the_join(services: Services) -> None:
    number = await reported(services)
    await up_to_address(services, NEIGHBOUR, "路灯坏了好几天，我家电话13900000000",
                        "瑞祥花园3栋")
    await report.answer_similar(services, user_id=NEIGHBOUR, choice="join")
    await privacy.erase(services, user_id=NEIGHBOUR)
    assert await count(services, RequestSubscriber) == 0
    join = (await rows(services, Event, Event.kind == "join"))[0]
    assert (join.actor_id, join.detail) == (None, {"count": 2})
    assert (await request_row(services, number)).joined_count == 1   # still two affected
    await accept(services, ASSIGNEE, number)
    assert await outbox(services, chat_id=NEIGHBOUR) == []


async def test_a_follow_up_is_offered_to_open_requests_and_attached(
        services: Services) -> None:
    number = await reported(services)
    asked = await say(services, RESIDENT, "怎么还没人来修啊")
    assert "已经反映过的诉求" in asked[0].text
    labels = [label for row in asked[0].buttons for label, _ in row]
    assert labels[0].startswith(number) and labels[-1] == "🆕 这是新问题"
    urged = shown(await followup.attach(services, user_id=RESIDENT, choice=number))
    assert "已为诉求" in urged.replies[0].text and "催办" in urged.replies[0].text
    assert (await request_row(services, number)).urge_count == 1
    assert {o.chat_id for o in await outbox(services, kind="urge")} == {ASSIGNEE,
                                                                        MUNICIPAL_GROUP}
    # a second chase the same day is refused as 催办: the words go as 补充材料 instead
    await say(services, RESIDENT, "催一下")
    added = shown(await followup.attach(services, user_id=RESIDENT, choice=number))
    assert "补充到诉求" in added.replies[0].text
    info = (await rows(services, Event, Event.kind == "add_info"))[-1]
    assert info.detail == {"text": "催一下"}
    # a question about progress is 补充材料, with the status in the reply
    await say(services, RESIDENT, "进度怎么样了？")
    added = shown(await followup.attach(services, user_id=RESIDENT, choice=number))
    assert "待接单" in added.replies[0].text
    assert await count(services, Conversation) == 0


async def test_a_follow_up_that_is_a_new_problem_starts_a_report(services: Services) -> None:
    await reported(services)
    await say(services, RESIDENT, "路灯还没修好")
    started = shown(await followup.attach(services, user_id=RESIDENT, choice="new"))
    assert "照片" in started.replies[-1].text
    conv = (await rows(services, Conversation))[0]
    assert (conv.flow, conv.data["description"]) == ("report", "路灯还没修好")


async def test_no_follow_up_offer_without_open_requests_or_for_a_long_report(
        services: Services) -> None:
    started = await say(services, RESIDENT, "路灯还没修好")   # nothing open: a new report
    assert "照片" in started[-1].text
    await report_request(services, "瑞祥花园3栋门口的路灯不亮了")
    long = "瑞祥花园北门外的人行道砖块松动翘起，老人孩子经过很容易绊倒，之前催过物业也没用"
    started = await say(services, RESIDENT, long)
    assert "照片" in started[-1].text
    # anything typed instead of choosing drops the question and is taken as usual
    await dialogs.cancel(services, user_id=RESIDENT)
    assert "已经反映过的诉求" in (await say(services, RESIDENT, "催一下"))[0].text
    assert "照片" in (await say(services, RESIDENT, long))[-1].text
    assert (await rows(services, Conversation))[0].flow == "report"
    assert await outbox(services, kind="add_info") == []
    assert [o for o in await rows(services, OutboxMessage) if o.chat_id == RESIDENT] == []


async def test_a_neighbour_writing_traditional_is_answered_in_traditional(
        services: Services) -> None:
    number = await reported(services)
    offered = await up_to_address(services, NEIGHBOUR, "路燈壞了好幾天，晚上太黑", "瑞祥花園3棟")
    assert "附近已有相同問題" in offered[0].text
    assert [label for row in offered[0].buttons for label, _ in row][1] == "仍然新建"
    joined = shown(await report.answer_similar(services, user_id=NEIGHBOUR, choice="join"))
    assert "已加入訴求" in joined.replies[0].text
    await accept(services, ASSIGNEE, number)
    told = (await outbox(services, chat_id=NEIGHBOUR))[0]
    assert "您關注（+1）的訴求" in (told.text or "")
    reporter = (await outbox(services, chat_id=RESIDENT, kind="accepted"))[0]
    assert "诉求" in (reporter.text or "")   # the reporter wrote Simplified
    detail = render.my_detail(services.config,
                              await my.detail(services, actor_id=NEIGHBOUR, number=number))
    assert "已關注" in detail.text
