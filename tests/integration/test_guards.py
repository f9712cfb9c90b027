"""Who may do what from which state: refusals change nothing."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.errors import AlreadyTaken, NotAllowed, UnknownRequest, WrongState
from bot.domain.model import Rating, Status
from bot.services import Services
from storage.models import Event, OutboxMessage
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    OTHER_ASSIGNEE,
    RESIDENT,
    accept,
    count,
    number_in,
    rate,
    report_request,
    request_row,
    resolve,
    route,
    withdraw,
)


@pytest.fixture
async def dispatched(services: Services) -> str:
    return number_in(await report_request(services, "瑞祥社区路灯不亮，晚上很黑"))


@pytest.mark.parametrize(("step", "actor", "error", "kwargs"), [
    (accept, RESIDENT, NotAllowed, {}),                 # a resident replays 接单
    (accept, OTHER_ASSIGNEE, NotAllowed, {}),           # another department
    (accept, DISPATCHER, NotAllowed, {}),
    (route, DISPATCHER, WrongState, {"category": "sewer"}),   # not in triage
    (route, ASSIGNEE, NotAllowed, {"category": "sewer"}),
    (resolve, ASSIGNEE, WrongState, {"answer": "x"}),   # not accepted yet
    (rate, RESIDENT, WrongState, {"rating": Rating.SATISFIED}),
    (withdraw, ASSIGNEE, NotAllowed, {}),               # not the resident's own
])
async def test_refused_actions_change_nothing(services: Services, dispatched: str, step,
                                              actor: int, error: type, kwargs: dict) -> None:
    events, messages = await count(services, Event), await count(services, OutboxMessage)
    with pytest.raises(error):
        await step(services, actor, dispatched, **kwargs)
    assert (await request_row(services, dispatched)).status == Status.DISPATCHED
    assert (await count(services, Event), await count(services, OutboxMessage)) == (
        events, messages)


async def test_unknown_number_is_refused(services: Services) -> None:
    with pytest.raises(UnknownRequest):
        await accept(services, ASSIGNEE, "20260101-9999")


async def test_second_accept_is_told_who_took_it(services: Services, dispatched: str) -> None:
    await accept(services, ASSIGNEE, dispatched)
    with pytest.raises(AlreadyTaken) as caught:
        await accept(services, ASSIGNEE, dispatched)
    assert caught.value.by == "王师傅"
    with pytest.raises(WrongState):
        await withdraw(services, RESIDENT, dispatched)


async def test_forged_route_target_is_refused(services: Services) -> None:
    number = number_in(await report_request(services, "麻烦帮忙看看这个事"))
    with pytest.raises(NotAllowed):
        await route(services, DISPATCHER, number,
                         category="no_such_category")
    with pytest.raises(NotAllowed):   # a territorial category needs a real area
        await route(services, DISPATCHER, number,
                         category="neighbour_dispute", area="atlantis")
    assert (await request_row(services, number)).status == Status.TRIAGE


async def test_numbers_stay_unique_under_concurrent_submits(services: Services) -> None:
    texts = [f"瑞祥社区{i}号楼路灯不亮" for i in range(20)]
    outcomes = await asyncio.gather(*(
        report_request(services, text, user=7000 + i) for i, text in enumerate(texts)))
    numbers = sorted(number_in(o) for o in outcomes)
    assert numbers == [f"20261124-{i:04d}" for i in range(1, 21)]
