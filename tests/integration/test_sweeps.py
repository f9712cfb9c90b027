"""The sweeps on real databases with a controllable clock: each chase fires once."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta

import pytest

from bot.domain.durations import parse_duration
from bot.domain.errors import SurveyClosed
from bot.domain.model import Rating, Status
from bot.services import Services
from bot.services.sweeps import run_sweeps
from storage.models import Event, OutboxMessage, Timer
from tests.conftest import Clock
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    RESIDENT,
    accept,
    count,
    ledger,
    number_in,
    outbox,
    rate,
    report_request,
    request_row,
    resolve,
)

SUPERVISOR = 1101   # the municipal department's 分管领导 in the demo config


async def reported(svc: Services) -> str:
    return number_in(await report_request(svc, "瑞祥社区3号楼门口的路灯坏了"))


async def kinds(svc: Services, number: str) -> list[str]:
    return [k for k, _, _ in await ledger(svc, number)]


async def test_unaccepted_task_is_reminded_then_escalated_once(services: Services,
                                                               clock: Clock) -> None:
    number = await reported(services)        # Tuesday 10:00 Shanghai; accept within 4h
    assert await run_sweeps(services) == 0
    clock.advance(hours=4, minutes=1)
    assert await run_sweeps(services) == 1
    assert await run_sweeps(services) == 0   # run twice: nothing twice
    reminders = await outbox(services, kind="reminder")
    assert {m.chat_id for m in reminders} == {ASSIGNEE, -1001000000001}
    assert number in reminders[0].text and "接单" in reminders[0].text
    clock.advance(hours=4)
    assert await run_sweeps(services) == 1
    escalations = await outbox(services, kind="escalation")
    assert {m.chat_id for m in escalations} >= {SUPERVISOR, DISPATCHER}
    assert "督办" in escalations[0].text
    req = await request_row(services, number)
    assert (req.status, req.escalation_level) == (Status.DISPATCHED, 1)
    assert (await kinds(services, number))[-2:] == ["accept_remind", "accept_escalate"]


async def test_accepting_cancels_the_acceptance_chase(services: Services, clock: Clock) -> None:
    number = await reported(services)
    await accept(services, ASSIGNEE, number)
    clock.advance(hours=9)
    await run_sweeps(services)
    assert await outbox(services, kind="reminder") == []
    assert "accept_remind" not in await kinds(services, number)


async def test_deadline_chase_reminds_then_escalates_twice(services: Services,
                                                          clock: Clock) -> None:
    number = await reported(services)
    await accept(services, ASSIGNEE, number)
    due = (await request_row(services, number)).answer_due_at
    assert due is not None and due.astimezone(services.config.tz).strftime("%H:%M") == "17:30"
    clock.now = due + timedelta(days=30)    # a long outage: everything due fires once
    assert await run_sweeps(services) == 3
    assert await run_sweeps(services) == 0
    assert (await kinds(services, number))[-3:] == ["answer_remind", "answer_escalate",
                                                   "office_escalate"]
    assert (await request_row(services, number)).escalation_level == 2
    assert [m.chat_id for m in await outbox(services, kind="reminder")] == [ASSIGNEE]
    levels = [(m.chat_id, "二级" in m.text) for m in await outbox(services, kind="escalation")]
    assert (SUPERVISOR, False) in levels and (DISPATCHER, True) in levels


async def test_a_night_reminder_waits_for_office_hours(services: Services,
                                                      clock: Clock) -> None:
    clock.now = datetime(2026, 11, 24, 12, 0, tzinfo=clock.now.tzinfo)   # 20:00 Shanghai
    await reported(services)
    clock.advance(hours=4, minutes=1)       # due at midnight
    await run_sweeps(services)
    reminder = (await outbox(services, kind="reminder"))[0]
    opening = reminder.not_before.astimezone(services.config.tz)
    assert (opening.day, opening.strftime("%H:%M")) == (25, "09:00")


async def test_unanswered_survey_is_reminded_then_closed_as_no_answer(
        services: Services, clock: Clock) -> None:
    number = await reported(services)
    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number, answer="已修复")
    clock.advance(days=1, minutes=1)
    assert await run_sweeps(services) == 1
    assert [m.chat_id for m in await outbox(services, kind="survey")] == [RESIDENT]
    clock.advance(days=2)
    assert await run_sweeps(services) == 1
    req = await request_row(services, number)
    assert (req.status, req.rating) == (Status.CLOSED, None)
    assert (await kinds(services, number))[-2:] == ["survey_remind", "survey_expire"]
    with pytest.raises(SurveyClosed):   # the survey's buttons now say it has closed
        await rate(services, RESIDENT, number, rating=Rating.SATISFIED)
    assert await count(services, Timer) == 0


async def test_a_rated_request_keeps_no_timers(services: Services, clock: Clock) -> None:
    number = await reported(services)
    await accept(services, ASSIGNEE, number)
    await resolve(services, ASSIGNEE, number, answer="已修复")
    await rate(services, RESIDENT, number, rating=Rating.SATISFIED)
    assert await count(services, Timer) == 0
    clock.advance(days=10)
    assert await run_sweeps(services) == 0


async def test_two_sweepers_at_once_fire_each_timer_once(services: Services,
                                                        clock: Clock) -> None:
    for i in range(5):
        await report_request(services, f"瑞祥社区{i}号楼路灯不亮", user=7100 + i)
    clock.advance(hours=9)
    fired = await asyncio.gather(run_sweeps(services), run_sweeps(services))
    assert sum(fired) == 10     # a reminder and an escalation for each of 5
    assert await count(services, Timer) == 0
    events, messages = await count(services, Event), await count(services, OutboxMessage)
    assert await run_sweeps(services) == 0
    assert (await count(services, Event), await count(services, OutboxMessage)) == (
        events, messages)


async def test_recomputed_deadlines_are_listed_then_written_with_the_timers(
        services: Services, clock: Clock) -> None:
    from bot.services.deadlines import recompute_deadlines

    number = await reported(services)
    before = await request_row(services, number)
    longer = services.config.limits.model_copy(update={"answer": parse_duration("10wd")})
    svc = dataclasses.replace(services, config=services.config.model_copy(
        update={"limits": longer}))
    events = await count(svc, Event)
    dry = await recompute_deadlines(svc, apply=False)
    assert [c.number for c in dry] == [number] and await count(svc, Event) == events
    assert (await request_row(svc, number)).answer_due_at == before.answer_due_at
    changes = await recompute_deadlines(svc, apply=True)
    after = await request_row(svc, number)
    assert changes[0].answer_due == (before.answer_due_at, after.answer_due_at)
    assert after.answer_due_at > before.answer_due_at
    assert (await kinds(svc, number))[-1] == "deadlines_recomputed"
    assert await recompute_deadlines(svc, apply=True) == []     # nothing left to move
