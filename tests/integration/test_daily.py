"""The daily jobs on real databases: the morning digest and the spot checks (抽访)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.domain.errors import NotAllowed, WrongState
from bot.domain.model import Rating
from bot.services import Services, residents
from bot.services.daily import run_daily_jobs
from bot.services.incoming import Incoming, Kind
from storage.models import Event
from tests.conftest import Clock
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
    rate,
    report_request,
    resolve,
    say,
    send,
)

SUPERVISOR = 1101


async def closed_request(svc: Services, user: int = RESIDENT) -> str:
    number = number_in(await report_request(svc, "瑞祥社区3号楼门口的路灯坏了", user=user))
    await accept(svc, ASSIGNEE, number)
    await resolve(svc, ASSIGNEE, number, answer="已修复")
    await rate(svc, user, number, rating=Rating.SATISFIED)
    return number


async def test_the_morning_digest_counts_yesterday_once(services: Services,
                                                       clock: Clock) -> None:
    late = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await accept(services, ASSIGNEE, late)
    await closed_request(services, user=5002)
    number_in(await report_request(services, "你好，我想反映个情况，麻烦帮忙看看", user=5003))
    clock.now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)     # Friday 08:00 Shanghai
    assert await run_daily_jobs(services) == []              # not 08:30 yet
    clock.advance(minutes=31)
    assert await run_daily_jobs(services) == ["digest"]
    assert await run_daily_jobs(services) == []              # once a day
    office = await outbox(services, chat_id=DISPATCHER, kind="digest")
    assert len(office) == 1 and "全区" in office[0].text
    clock.now = datetime(2026, 11, 25, 0, 31, tzinfo=UTC)    # Wednesday: Tuesday's figures
    assert await run_daily_jobs(services) == ["digest"]
    text = (await outbox(services, chat_id=DISPATCHER, kind="digest"))[-1].text
    assert "新受理 3" in text and "已派单 2" in text and "待分派 1" in text
    assert "已接单 2" in text and "已办结 1" in text
    department = [m.chat_id for m in await outbox(services, kind="digest")
                  if "市政公用局" in m.text]
    assert {ASSIGNEE, MUNICIPAL_GROUP, SUPERVISOR} <= set(department)


async def test_the_digest_lists_overdue_tasks_within_telegrams_limit(
        services: Services, clock: Clock) -> None:
    for i in range(60):
        number = number_in(await report_request(services, f"瑞祥社区{i}号楼路灯不亮" + "很黑" * 30,
                                                 user=7000 + i))
        await accept(services, ASSIGNEE, number)
    clock.now = datetime(2026, 12, 9, 0, 31, tzinfo=UTC)     # after the 7wd deadlines
    await run_daily_jobs(services)
    parts = await outbox(services, chat_id=DISPATCHER, kind="digest")
    assert len(parts) > 1 and all(len(p.text) <= 4096 for p in parts)
    assert "当前超期 60" in parts[0].text and "超期工单" in parts[0].text


async def test_no_digest_on_a_day_off(services: Services, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)     # Saturday
    assert await run_daily_jobs(services) == []


async def test_spot_check_asks_again_and_the_office_hears_the_unsatisfied(
        services: Services, clock: Clock) -> None:
    number = await closed_request(services)
    other = await closed_request(services, user=5002)
    svc = dataclasses.replace(services, config=services.config.model_copy(update={
        "spot_check": services.config.spot_check.model_copy(update={"share": 1.0})}))
    clock.advance(hours=1)                                    # 11:00: spot checks are due
    assert "spot_check" in await run_daily_jobs(svc)
    asked = await outbox(svc, kind="spot_check")
    assert {m.chat_id for m in asked} == {RESIDENT, 5002}
    assert [d for row in asked[0].buttons for _, d in row][-1].startswith("spot:")
    await residents.answer_spot_check(svc, actor_id=RESIDENT, number=number,
                                      rating=Rating.UNSATISFIED)
    alert = await outbox(svc, chat_id=DISPATCHER, kind="spot_check_alert")
    assert len(alert) == 1 and number in alert[0].text
    thanks = await say(svc, RESIDENT, "路灯又坏了，没人管")
    assert "感谢" in thanks[0].text
    assert "路灯又坏了" in (await outbox(svc, kind="spot_check_alert"))[-1].text
    with pytest.raises(WrongState):                           # answered once
        await residents.answer_spot_check(svc, actor_id=RESIDENT, number=number,
                                          rating=Rating.SATISFIED)
    await residents.answer_spot_check(svc, actor_id=5002, number=other,
                                      rating=Rating.SATISFIED)
    assert len(await outbox(svc, kind="spot_check_alert")) == 2   # the satisfied: nothing
    assert [k for k, _, _ in await ledger(svc, number)][-3:] == [
        "spot_check_sent", "spot_check", "spot_check_comment"]


async def test_a_request_not_drawn_cannot_be_spot_checked(services: Services) -> None:
    number = await closed_request(services)
    events = await count(services, Event)
    with pytest.raises(NotAllowed):
        await residents.answer_spot_check(services, actor_id=RESIDENT, number=number,
                                          rating=Rating.SATISFIED)
    assert await count(services, Event) == events


async def test_a_spot_check_comment_said_by_voice_reaches_the_office(
        services: Services, clock: Clock) -> None:
    number = await closed_request(services)
    svc = dataclasses.replace(services, config=services.config.model_copy(update={
        "spot_check": services.config.spot_check.model_copy(update={"share": 1.0})}))
    clock.advance(hours=1)                                    # 11:00: spot checks are due
    await run_daily_jobs(svc)
    await residents.answer_spot_check(svc, actor_id=RESIDENT, number=number,
                                      rating=Rating.UNSATISFIED)
    thanks = await send(svc, RESIDENT, Incoming(Kind.VOICE, file_id="voice-still-dark"))
    assert "感谢" in thanks[0].text
    alerts = await outbox(svc, chat_id=DISPATCHER)
    assert "（语音）" in (alerts[-2].text or "")
    assert (alerts[-1].kind, alerts[-1].voice) == ("spot_check_alert_voice", "voice-still-dark")
