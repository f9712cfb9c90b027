"""Working a task on real databases: progress, extension, restricted, co-handling, the
staff's desk, stale cards and races."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from bot.domain.errors import AlreadyTaken, NotAllowed, WrongState
from bot.domain.model import Status
from bot.notify import desk as desk_render
from bot.notify import render
from bot.services import Services, handling, tasks
from bot.services import desk as desk_services
from bot.services.incoming import Incoming, Kind
from bot.services.sweeps import run_sweeps
from storage.models import Event, OutboxMessage
from tests.conftest import Clock
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    OTHER_ASSIGNEE,
    RESIDENT,
    accept,
    ask,
    count,
    ledger,
    number_in,
    outbox,
    report_request,
    request_row,
    resolve,
    say,
    send,
)

COLLEAGUE = 1050   # a second municipal assignee, added by the test that needs one


async def accepted(svc: Services) -> str:
    number = number_in(await report_request(svc, "瑞祥社区3号楼门口的路灯坏了"))
    await accept(svc, ASSIGNEE, number)
    return number


async def kinds(svc: Services, number: str) -> list[str]:
    return [k for k, _, _ in await ledger(svc, number)]


async def test_progress_reaches_the_resident_and_the_ledger(services: Services) -> None:
    number = await accepted(services)
    assert "进展" in (await ask(services, ASSIGNEE, number, "progress")).replies[0].text
    ack = await say(services, ASSIGNEE, "已联系供电所，明天上午更换")
    assert "已发送给群众" in ack[0].text
    told = await outbox(services, chat_id=RESIDENT, kind="progress")
    assert len(told) == 1 and "明天上午更换" in told[0].text
    assert (await kinds(services, number))[-1] == "progress"


async def test_extension_moves_the_deadline_only_when_approved(services: Services) -> None:
    number = await accepted(services)
    before = (await request_row(services, number)).answer_due_at
    await ask(services, ASSIGNEE, number, "extend")
    assert "格式不对" in (await say(services, ASSIGNEE, "过几天"))[0].text   # asked again
    assert "已提交" in (await say(services, ASSIGNEE, "5 需等待配件到货"))[0].text
    assert (await request_row(services, number)).answer_due_at == before
    card = (await outbox(services, chat_id=DISPATCHER, kind="extension_request"))[0]
    assert "需等待配件到货" in card.text
    assert [d for row in card.buttons for _, d in row] == [f"extd:{number}:yes",
                                                          f"extd:{number}:no"]
    with pytest.raises(NotAllowed):           # only the office decides
        await handling.decide_extension(services, actor_id=ASSIGNEE, number=number,
                                        approve=True)
    await handling.decide_extension(services, actor_id=DISPATCHER, number=number,
                                    approve=True)
    after = (await request_row(services, number)).answer_due_at
    assert after > before and after.astimezone(services.config.tz).strftime("%H:%M") == "17:30"
    resident = await outbox(services, chat_id=RESIDENT, kind="extended")
    assert len(resident) == 1 and "延至" in resident[0].text
    assert "已同意" in (await outbox(services, chat_id=ASSIGNEE, kind="extension_decided"))[0].text
    with pytest.raises(WrongState):           # decided already: a stale card
        await handling.decide_extension(services, actor_id=DISPATCHER, number=number,
                                        approve=False)


async def test_a_refused_extension_keeps_the_deadline(services: Services) -> None:
    number = await accepted(services)
    before = (await request_row(services, number)).answer_due_at
    await ask(services, ASSIGNEE, number, "extend")
    await say(services, ASSIGNEE, "2099-01-05 需协调施工单位")
    await handling.decide_extension(services, actor_id=DISPATCHER, number=number,
                                    approve=False)
    assert (await request_row(services, number)).answer_due_at == before
    told = await outbox(services, chat_id=ASSIGNEE, kind="extension_decided")
    assert "未获同意" in told[0].text
    assert await outbox(services, chat_id=RESIDENT, kind="extended") == []


async def test_restricted_is_explained_reviewed_and_brought_back(services: Services,
                                                                 clock: Clock) -> None:
    number = await accepted(services)
    await ask(services, ASSIGNEE, number, "restrict")
    await say(services, ASSIGNEE, "该路段规划改造，路灯需随工程统一更换")
    req = await request_row(services, number)
    assert req.status == Status.RESTRICTED
    told = await outbox(services, chat_id=RESIDENT, kind="restricted")
    assert "规划改造" in told[0].text
    notice = (await outbox(services, chat_id=DISPATCHER, kind="restricted_notice"))[0]
    assert [label for row in notice.buttons for label, _ in row] == ["恢复办理", "按疑难受限办结"]
    overdue = await desk_services.overdue_list(services, actor_id=DISPATCHER)
    clock.advance(days=31)
    await run_sweeps(services)
    assert len(await outbox(services, chat_id=DISPATCHER, kind="review")) == 1
    assert overdue.total == 0          # restricted: off the overdue list
    await handling.resume_request(services, actor_id=DISPATCHER, number=number)
    req = await request_row(services, number)
    assert req.status == Status.IN_PROGRESS and req.answer_due_at > clock.now
    assert len(await outbox(services, chat_id=ASSIGNEE, kind="resumed")) == 1
    assert (await kinds(services, number))[-3:] == ["restrict", "restricted_review", "resume"]


async def test_the_office_closes_a_restricted_request(services: Services) -> None:
    number = await accepted(services)
    await ask(services, ASSIGNEE, number, "restrict")
    await say(services, ASSIGNEE, "受政策限制暂时无法解决")
    with pytest.raises(NotAllowed):
        await handling.close_restricted(services, actor_id=ASSIGNEE, number=number)
    await handling.close_restricted(services, actor_id=DISPATCHER, number=number)
    assert (await request_row(services, number)).status == Status.CLOSED
    assert len(await outbox(services, chat_id=RESIDENT, kind="restricted_closed")) == 1


async def test_a_co_handler_posts_its_part_to_the_lead(services: Services) -> None:
    number = await accepted(services)
    routed = await tasks.add_co_handler(services, actor_id=DISPATCHER, number=number,
                                        department="water")
    assert routed.co_departments == ("water",)
    assert "水务局" in render.routed_card(services.config, routed).text
    card = (await outbox(services, chat_id=OTHER_ASSIGNEE, kind="co_task_card"))[0]
    assert "协办" in card.text and card.buttons == [[["提交协办意见", f"co:{number}"]]]
    with pytest.raises(WrongState):             # already co-handling
        await tasks.add_co_handler(services, actor_id=DISPATCHER, number=number,
                                   department="water")
    await ask(services, OTHER_ASSIGNEE, number, "co_note")
    await say(services, OTHER_ASSIGNEE, "供水管线不受影响，可以施工")
    lead = await outbox(services, chat_id=ASSIGNEE, kind="co_note")
    assert "可以施工" in lead[0].text
    with pytest.raises(NotAllowed):             # only the lead resolves
        await ask(services, OTHER_ASSIGNEE, number, "answer")
    await resolve(services, ASSIGNEE, number, answer="已修复")
    assert len(await outbox(services, chat_id=RESIDENT, kind="answer")) == 1


async def test_keyboards_stay_under_telegrams_100_buttons(services: Services) -> None:
    from bot.config import parse_config
    from tests.conftest import demo_config_data

    data = demo_config_data()
    data["areas"] = [{"code": f"a{i}", "name": f"社区{i}", "unit": "civil"} for i in range(25)]
    config = parse_config(data, "many areas")
    number = number_in(await report_request(services, "想问问这个事情怎么办"))
    view = dataclasses.replace(   # no area known: every area's button is offered
        await tasks.request_for(services, "route", actor_id=DISPATCHER, number=number), area=None)
    pages = [render.triage_buttons(config, view, everything=True, page=p) for p in range(5)]
    assert all(sum(len(row) for row in page) <= 100 for page in pages)
    routes = {d for page in pages for row in page for _, d in row if d.startswith("rt:")}
    territorial = [c for c in config.categories if c.territorial]
    assert len(routes) == len(config.categories) - len(territorial) + 25 * len(territorial)


async def test_desk_lists_cards_and_history(services: Services, clock: Clock) -> None:
    first = await accepted(services)
    waiting = number_in(await report_request(services, "瑞祥社区5号楼路灯不亮", user=5002))
    unclear = number_in(await report_request(services, "你好，麻烦帮忙看看", user=5003))
    page = await desk_services.my_tasks(services, actor_id=ASSIGNEE)
    assert [r.number for r in page.items] == [first, waiting] and page.total == 2
    shown = desk_render.request_list(services.config, page)
    assert "我的工单" in shown.text and [d for row in shown.buttons for _, d in row] == [
        f"op:{first}", f"op:{waiting}"]
    triage = await desk_services.triage_list(services, actor_id=DISPATCHER)
    assert [r.number for r in triage.items] == [unclear]
    with pytest.raises(NotAllowed):
        await desk_services.triage_list(services, actor_id=ASSIGNEE)
    with pytest.raises(NotAllowed):
        await desk_services.my_tasks(services, actor_id=RESIDENT)
    card = await desk_services.open_card(services, actor_id=ASSIGNEE, number=first)
    assert card.reveal and {"resolve", "progress", "extend", "restrict"} <= card.actions
    found = await desk_services.open_card(services, actor_id=DISPATCHER, number=first,
                                          with_history=True)
    text = desk_render.card(services.config, found).text
    assert "办理记录" in text and "群众提交" in text and "接单" in text
    with pytest.raises(NotAllowed):           # another department's request
        await desk_services.open_card(services, actor_id=OTHER_ASSIGNEE, number=first)
    numbers = await desk_services.today_figures(services, actor_id=DISPATCHER)
    assert (numbers.new, numbers.routed, numbers.triaged, numbers.accepted) == (3, 2, 1, 1)
    clock.advance(days=20)
    late = await desk_services.overdue_list(services, actor_id=1101)   # the supervisor
    assert {r.number for r in late.items} == {first, waiting}


async def test_a_long_task_list_is_paged(services: Services) -> None:
    for i in range(12):
        await report_request(services, f"瑞祥社区{i}号楼路灯不亮", user=7000 + i)
    first = await desk_services.my_tasks(services, actor_id=ASSIGNEE)
    last = await desk_services.my_tasks(services, actor_id=ASSIGNEE, page=2)
    assert (first.pages, len(first.items), len(last.items), last.first) == (3, 5, 2, 11)
    stale = await desk_services.my_tasks(services, actor_id=ASSIGNEE, page=7)   # old 下一页
    assert (stale.page, stale.first, len(stale.items)) == (2, 11, 2)
    nav = desk_render.request_list(services.config, first).buttons[-1]
    assert [d for _, d in nav] == ["ls:tasks:1"]


async def test_two_assignees_accepting_at_once_leave_one_acceptor(services: Services) -> None:
    from storage.models import StaffMember

    async with services.sessions() as session:
        session.add(StaffMember(telegram_id=COLLEAGUE, name="张工", department="municipal",
                                role="assignee", active=True, source="cli"))
        await session.commit()
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    results = await asyncio.gather(
        tasks.accept_task(services, actor_id=ASSIGNEE, number=number),
        tasks.accept_task(services, actor_id=COLLEAGUE, number=number),
        return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Accepted", "AlreadyTaken"]
    winner = next(r for r in results if not isinstance(r, AlreadyTaken))
    req = await request_row(services, number)
    assert req.assignee_id == (ASSIGNEE if winner.acceptor == "王师傅" else COLLEAGUE)
    assert (await kinds(services, number)).count("accept") == 1


async def test_an_approval_racing_a_resolve_leaves_one_outcome(services: Services) -> None:
    number = await accepted(services)
    await ask(services, ASSIGNEE, number, "extend")
    await say(services, ASSIGNEE, "5 需等待配件到货")
    await ask(services, ASSIGNEE, number, "answer")
    events = await count(services, Event)
    results = await asyncio.gather(
        handling.decide_extension(services, actor_id=DISPATCHER, number=number, approve=True),
        say(services, ASSIGNEE, "已修复"), return_exceptions=True)
    req = await request_row(services, number)
    assert req.status == Status.RESOLVED and not isinstance(results[1], Exception)
    approved = not isinstance(results[0], Exception)   # it may come first, or find it resolved
    assert approved or isinstance(results[0], WrongState)
    assert await count(services, Event) == events + 1 + approved
    assert [k for k in await kinds(services, number) if k.startswith("extension_")] == (
        ["extension_requested", "extension_approved"] if approved else ["extension_requested"])


async def test_a_stale_staff_press_is_refused_and_changes_nothing(services: Services) -> None:
    number = await accepted(services)
    await resolve(services, ASSIGNEE, number, answer="已修复")
    events, messages = await count(services, Event), await count(services, OutboxMessage)
    for flow in ("progress", "extend", "restrict"):
        with pytest.raises(WrongState):
            await ask(services, ASSIGNEE, number, flow)
    card = await desk_services.open_card(services, actor_id=ASSIGNEE, number=number)
    assert card.request.status == Status.RESOLVED and not desk_render.card(
        services.config, card).buttons
    assert (await count(services, Event), await count(services, OutboxMessage)) == (
        events, messages)


async def test_an_answer_can_come_with_a_photo(services: Services) -> None:
    number = await accepted(services)
    await ask(services, ASSIGNEE, number, "answer")
    bare = await send(services, ASSIGNEE, Incoming(Kind.PHOTO, file_id="p-bare"))
    assert "文字" in bare[0].text                       # a photo needs the answer as caption
    done = await send(services, ASSIGNEE, Incoming(Kind.PHOTO, file_id="p-fixed",
                                                   text="已更换灯泡，见照片"))
    assert "已办结" in done[0].text
    media, text = await outbox(services, chat_id=RESIDENT, kind="answer_media"), await outbox(
        services, chat_id=RESIDENT, kind="answer")
    assert media[0].photos == ["p-fixed"] and media[0].id < text[0].id
    assert "已更换灯泡" in text[0].text and text[0].buttons
    assert (await request_row(services, number)).answer == "已更换灯泡，见照片"
