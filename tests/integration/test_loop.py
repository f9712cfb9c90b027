"""The whole loop on real databases: report → route → accept → answer → rate."""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import timedelta

import pytest

from bot.config import parse_config
from bot.domain.errors import WrongState
from bot.domain.model import Rating, Status
from bot.notify import render
from bot.services import Services, residents, tasks
from storage.models import Event
from tests.conftest import demo_config_data
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    MUNICIPAL_GROUP,
    RESIDENT,
    accept,
    ask,
    count,
    ledger,
    number_in,
    outbox,
    rate,
    report_request,
    request_row,
    resolve,
    route,
    say,
    withdraw,
)

OTHER_MUNICIPAL = 1101   # the municipal supervisor may answer too


async def test_confident_request_goes_round_the_whole_loop(services: Services) -> None:
    outcome = await report_request(services, "瑞祥社区3号楼门口的路灯坏了，晚上一片漆黑")
    number = number_in(outcome)
    assert re.fullmatch(r"20261124-0001", number)
    assert "市政公用局" in outcome.replies[0].text
    req = await request_row(services, number)
    assert (req.status, req.department, req.category) == ("dispatched", "municipal",
                                                          "streetlight")
    assert req.phone == "13812340000" and req.resident_name == "张阿姨"
    cards = await outbox(services, kind="task_card")
    assert {c.chat_id for c in cards} == {ASSIGNEE, MUNICIPAL_GROUP}
    assert "138****0000" in cards[0].text and "13812340000" not in cards[0].text
    assert "路灯" in cards[0].text   # the matched words: why this category

    card = await accept(services, ASSIGNEE, number)
    assert "13812340000" in card.text   # whoever accepted sees the phone
    assert [label for row in card.buttons for label, _ in row] == [
        "办结", "进展", "申请延期", "疑难受限"]
    accepted = await outbox(services, chat_id=RESIDENT, kind="accepted")
    assert len(accepted) == 1 and number in accepted[0].text

    await ask(services, ASSIGNEE, number, "answer")
    replies = await say(services, ASSIGNEE, "已更换灯泡，<今晚>恢复照明 & 请查看")
    assert number in replies[0].text
    answer = (await outbox(services, chat_id=RESIDENT, kind="answer"))[0]
    assert "&lt;今晚&gt;" in answer.text and "&amp;" in answer.text
    assert [d for row in answer.buttons for _, d in row] == [
        f"rate:{number}:satisfied", f"rate:{number}:basic", f"rate:{number}:unsatisfied"]

    await rate(services, RESIDENT, number,
                     rating=Rating.SATISFIED)
    assert (await request_row(services, number)).status == Status.CLOSED
    assert await ledger(services, number) == [
        ("submit", None, "dispatched"), ("accept", "dispatched", "in_progress"),
        ("resolve", "in_progress", "resolved"), ("rate", "resolved", "closed")]


async def test_unclear_request_is_routed_by_the_dispatcher(services: Services) -> None:
    number = number_in(await report_request(services, "你好，我想反映个情况，麻烦帮忙看看"))
    req = await request_row(services, number)
    assert req.status == Status.TRIAGE and req.department is None
    card = (await outbox(services, kind="triage_card"))[0]
    assert card.chat_id == DISPATCHER
    assert card.buttons[-1][0][0] == "全部类别…"

    everything = render.triage_buttons(services.config, await tasks.request_for(
        services, "route", actor_id=DISPATCHER, number=number), everything=True)
    labels = [label for row in everything for label, _ in row]
    assert "路灯照明·市政公用局" in labels and "邻里纠纷·瑞祥社区" in labels
    await route(services, DISPATCHER, number,
                     category="streetlight")
    req = await request_row(services, number)
    assert (req.status, req.department) == (Status.DISPATCHED, "municipal")
    assert req.accept_due_at is not None
    assert {c.chat_id for c in await outbox(services, kind="task_card")} == {
        ASSIGNEE, MUNICIPAL_GROUP}
    async with services.sessions() as session:
        from storage.queries import routed_examples

        assert await routed_examples(session) == [("你好，我想反映个情况，麻烦帮忙看看",
                                                   "streetlight")]


async def test_territorial_route_goes_to_the_area_unit(services: Services) -> None:
    number = number_in(await report_request(services, "想问问这个事情怎么办"))
    await route(services, DISPATCHER, number,
                     category="neighbour_dispute", area="heping")
    req = await request_row(services, number)
    assert (req.department, req.area) == ("heping_office", "heping")


async def test_unsatisfied_resident_sends_it_back_to_the_same_department(
        services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number,
                     answer="已修复")
    asked = await ask(services, RESIDENT, number, "reopen")
    assert "不满意" in asked.replies[0].text
    replies = await say(services, RESIDENT, "根本没修，还是不亮")
    assert "重新办理" in replies[0].text
    req = await request_row(services, number)
    assert (req.status, req.department, req.reopen_count, req.rating) == (
        Status.DISPATCHED, "municipal", 1, "unsatisfied")
    reopened = [c for c in await outbox(services, chat_id=ASSIGNEE, kind="task_card")
                if "打回" in c.text]
    assert len(reopened) == 1 and "根本没修，还是不亮" in reopened[0].text
    assert (await ledger(services, number))[-1] == ("reopen", "resolved", "dispatched")


async def test_resident_withdraws_before_acceptance(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await withdraw(services, RESIDENT, number)
    assert (await request_row(services, number)).status == Status.WITHDRAWN
    views = await residents.my_requests(services, resident_id=RESIDENT)
    assert [(v.number, v.status) for v in views] == [(number, Status.WITHDRAWN)]


async def test_every_transition_is_one_ledger_row(services: Services) -> None:
    before = await count(services, Event)
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await accept(services, ASSIGNEE, number)
    assert await count(services, Event) == before + 2


async def test_return_sends_the_task_back_to_the_office_with_the_reason(
        services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    asked = await ask(services, ASSIGNEE, number, "return")
    assert "退单原因" in asked.replies[0].text
    replies = await say(services, ASSIGNEE, "这是小区内部的灯，归物业管")
    assert "退回" in replies[0].text
    req = await request_row(services, number)
    assert (req.status, req.department) == (Status.TRIAGE, None)
    card = (await outbox(services, kind="triage_card"))[-1]
    assert "这是小区内部的灯，归物业管" in card.text and "市政公用局" in card.text
    assert "分类依据</b>：路灯" in card.text   # why the router thought so
    await route(services, DISPATCHER, number,
                     category="property")
    assert (await request_row(services, number)).department == "housing"
    assert [k for k, _, _ in await ledger(services, number)] == ["submit", "return", "route"]


async def test_a_question_for_a_request_that_moved_on_is_dropped(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await accept(services, ASSIGNEE, number)
    await ask(services, ASSIGNEE, number, "answer")
    await ask(services, OTHER_MUNICIPAL, number, "answer")
    await say(services, OTHER_MUNICIPAL, "同事已经修好了")   # a colleague answers first
    with pytest.raises(WrongState):
        await say(services, ASSIGNEE, "已修好")
    assert "工单" in (await say(services, ASSIGNEE, "已修好"))[0].text   # no question pending


async def test_accepting_in_the_group_keeps_the_phone_out_of_the_group(
        services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    shared = await accept(services, ASSIGNEE, number,
                              in_group=True)
    assert "138****0000" in shared.text and "13812340000" not in shared.text
    # the acceptor's own card; the department's cards still queued now show the task as
    # it is, the phone in full only in the acceptor's chat
    private = [c for c in await outbox(services, chat_id=ASSIGNEE, kind="task_card")
               if "13812340000" in c.text]
    assert all("13812340000" not in (c.text or "")
               for c in await outbox(services, chat_id=MUNICIPAL_GROUP))
    assert private and private[-1].buttons == [
        [["办结", f"res:{number}"], ["进展", f"prog:{number}"]],
        [["申请延期", f"ext:{number}"], ["疑难受限", f"rst:{number}"]]]


async def test_withdrawal_tells_whoever_holds_a_card(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await withdraw(services, RESIDENT, number)
    told = await outbox(services, kind="withdrawn")
    assert {m.chat_id for m in told} == {ASSIGNEE, MUNICIPAL_GROUP}
    assert number in told[0].text and "撤回" in told[0].text
    assert (await request_row(services, number)).accept_due_at is None


async def test_cards_mask_the_resident_until_someone_accepts(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    card = (await outbox(services, chat_id=MUNICIPAL_GROUP, kind="task_card"))[0]
    assert "张**" in card.text and "张阿姨" not in card.text
    accepted = await accept(services, ASSIGNEE, number)
    assert "张阿姨 13812340000" in accepted.text


async def test_routing_applies_the_chosen_category_limits(services: Services) -> None:
    data = copy.deepcopy(demo_config_data())
    gas = next(c for c in data["categories"] if c["code"] == "gas")
    gas["limits"] = {"accept": "1h", "answer": "2d"}
    svc = dataclasses.replace(services, config=parse_config(data, "test"))
    number = number_in(await report_request(svc, "想问问这个事情怎么办"))
    await route(svc, DISPATCHER, number, category="gas")
    req = await request_row(svc, number)
    assert req.answer_due_at == req.created_at + timedelta(days=2)
    assert req.accept_due_at == svc.now() + timedelta(hours=1)
