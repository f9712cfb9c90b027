"""Staff management: the CLI's members, invite codes, and a departing member's tasks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.config import Config
from bot.domain.errors import NotAllowed
from bot.domain.model import Role, Status
from bot.domain.staffing import StaffError
from bot.services import Services
from bot.services.access import reader
from bot.services.staff import (
    add_staff,
    create_invite,
    list_staff,
    redeem_invite,
    remove_staff,
    sync_staff,
)
from storage.models import Event, OutboxMessage, StaffInvite, StaffMember
from tests.conftest import Clock
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    MUNICIPAL_GROUP,
    accept,
    count,
    ledger,
    number_in,
    outbox,
    report_request,
    request_row,
    resolve,
)

NEWCOMER = 7001


async def role(services: Services, user_id: int) -> Role:
    return (await reader(services, user_id=user_id, language_code=None)).role


@pytest.fixture
async def dispatched(services: Services) -> str:
    return number_in(await report_request(services, "瑞祥社区路灯不亮，晚上很黑"))


async def release_event(svc: Services, number: str) -> Event:
    request_id = (await request_row(svc, number)).id
    async with svc.sessions() as session:
        return (await session.execute(select(Event).where(
            Event.request_id == request_id, Event.kind == "release"))).scalar_one()


# --- lianxin staff add / remove / list ------------------------------------------------------

async def test_an_added_assignee_can_accept_at_once(services: Services, dispatched: str) -> None:
    row = await add_staff(services, telegram_id=NEWCOMER, name="新同事", role="assignee",
                          department="municipal")
    assert (row.source, row.active) == ("cli", True)
    await accept(services, NEWCOMER, dispatched)
    assert (await request_row(services, dispatched)).assignee_id == NEWCOMER
    async with services.sessions() as session:
        event = (await session.execute(select(Event).where(Event.kind == "accept"))).scalar_one()
    assert (event.actor_id, event.actor_role) == (NEWCOMER, Role.ASSIGNEE)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"role": "assignee", "department": "nowhere"}, "unknown department 'nowhere'"),
    ({"role": "assignee", "department": None}, "needs --department"),
    ({"role": "supervisor", "department": None}, "needs --department"),
    ({"role": "mayor", "department": None}, "unknown role 'mayor'"),
    ({"role": "assignee", "department": "water", "telegram_id": ASSIGNEE},
     "listed in the config"),
])
async def test_add_refusals_change_nothing(services: Services, kwargs: dict,
                                           message: str) -> None:
    before = await list_staff(services)
    with pytest.raises(StaffError, match=message):
        await add_staff(services, **{"telegram_id": NEWCOMER, "name": "新同事", **kwargs})
    assert await list_staff(services) == before


async def test_list_shows_source_and_state(services: Services) -> None:
    await add_staff(services, telegram_id=NEWCOMER, name="新同事", role="dispatcher",
                    department=None)
    rows = {r.telegram_id: r for r in await list_staff(services)}
    assert (rows[NEWCOMER].role, rows[NEWCOMER].source) == ("dispatcher", "cli")
    assert (rows[ASSIGNEE].source, rows[ASSIGNEE].department) == ("config", "municipal")
    await remove_staff(services, telegram_id=NEWCOMER)
    assert not {r.telegram_id: r for r in await list_staff(services)}[NEWCOMER].active


async def test_config_staff_cannot_be_removed_by_the_cli(services: Services) -> None:
    with pytest.raises(StaffError, match="edit the config"):
        await remove_staff(services, telegram_id=ASSIGNEE)
    with pytest.raises(StaffError, match="not an active staff member"):
        await remove_staff(services, telegram_id=NEWCOMER)
    assert (await role(services, ASSIGNEE)) == Role.ASSIGNEE


async def test_cli_staff_survive_a_restart(services: Services, config: Config) -> None:
    await add_staff(services, telegram_id=NEWCOMER, name="新同事", role="assignee",
                    department="water")
    await sync_staff(services, config)
    assert (await role(services, NEWCOMER)) == Role.ASSIGNEE


# --- a departing member's tasks ---------------------------------------------------------------

async def test_removed_holder_gives_the_task_back_to_the_department(
        services: Services, dispatched: str, clock: Clock) -> None:
    await add_staff(services, telegram_id=NEWCOMER, name="新同事", role="assignee",
                    department="municipal")
    await accept(services, NEWCOMER, dispatched)
    clock.advance(hours=1)
    removed = await remove_staff(services, telegram_id=NEWCOMER)
    assert (removed.name, removed.released) == ("新同事", 1)

    req = await request_row(services, dispatched)
    assert (req.status, req.assignee_id, req.department) == (Status.DISPATCHED, None,
                                                             "municipal")
    assert req.accept_due_at is not None and req.accept_due_at > clock.now
    event = await release_event(services, dispatched)
    assert (event.actor_role, event.actor_id, event.from_status) == (
        Role.SYSTEM, None, Status.IN_PROGRESS)
    assert "新同事" in event.detail["reason"] and event.detail["former"] == NEWCOMER
    cards = await outbox(services, kind="task_card")
    again = [c for c in cards if "原承办人已离岗" in (c.text or "")]
    assert {c.chat_id for c in again} == {ASSIGNEE, MUNICIPAL_GROUP}

    # their button is refused; the one left in the department takes the task
    with pytest.raises(NotAllowed):
        await resolve(services, NEWCOMER, dispatched, "已修好")
    await accept(services, ASSIGNEE, dispatched)
    assert (await request_row(services, dispatched)).assignee_id == ASSIGNEE


async def test_last_assignee_leaving_sends_the_task_to_triage(
        services: Services, config: Config, dispatched: str) -> None:
    await accept(services, ASSIGNEE, dispatched)
    trimmed = config.model_copy(update={"staff": [s for s in config.staff
                                                  if s.telegram_id != ASSIGNEE]})
    await sync_staff(services, trimmed)

    req = await request_row(services, dispatched)
    assert (req.status, req.assignee_id, req.department) == (Status.TRIAGE, None, None)
    assert (await ledger(services, dispatched))[-1] == ("release", "in_progress", "triage")
    triage = await outbox(services, chat_id=DISPATCHER, kind="triage_card")
    assert "承办人离岗" in (triage[-1].text or "") and "市政公用局" in (triage[-1].text or "")
    assert (await role(services, ASSIGNEE)) == Role.RESIDENT
    with pytest.raises(NotAllowed):
        await resolve(services, ASSIGNEE, dispatched, "已修好")


async def test_removing_someone_without_tasks_records_nothing(services: Services) -> None:
    await add_staff(services, telegram_id=NEWCOMER, name="新同事", role="assignee",
                    department="water")
    events, messages = await count(services, Event), await count(services, OutboxMessage)
    assert (await remove_staff(services, telegram_id=NEWCOMER)).released == 0
    assert (await count(services, Event), await count(services, OutboxMessage)) == (
        events, messages)


# --- invite codes --------------------------------------------------------------------------

async def test_an_invite_is_redeemed_once(services: Services) -> None:
    invite = await create_invite(services, department="water", role="assignee")
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", invite.code)
    async with services.sessions() as session:
        stored = (await session.execute(select(StaffInvite))).scalar_one()
    assert invite.code not in stored.code_hash

    joined = await redeem_invite(services, user_id=NEWCOMER, name="小李", code=invite.code)
    assert joined is not None and (joined.department, joined.role) == ("水务局", "承办人")
    assert (await role(services, NEWCOMER)) == Role.ASSIGNEE
    async with services.sessions() as session:
        member = await session.get(StaffMember, NEWCOMER)
        used = (await session.execute(select(StaffInvite))).scalar_one()
    assert member is not None and (member.department, member.source) == ("water", "invite")
    assert (used.used_by, used.used_at) == (NEWCOMER, services.now())

    assert await redeem_invite(services, user_id=NEWCOMER + 1, name="x", code=invite.code) is None
    assert (await role(services, NEWCOMER + 1)) == Role.RESIDENT


async def test_expired_and_unknown_codes_are_refused(services: Services, clock: Clock) -> None:
    invite = await create_invite(services, department=None, role="dispatcher")
    assert await redeem_invite(services, user_id=NEWCOMER, name="x", code="nonsense") is None
    clock.advance(hours=72)
    assert await redeem_invite(services, user_id=NEWCOMER, name="x", code=invite.code) is None
    assert (await role(services, NEWCOMER)) == Role.RESIDENT


async def test_config_staff_keep_their_role_when_redeeming(services: Services) -> None:
    invite = await create_invite(services, department=None, role="admin")
    assert await redeem_invite(services, user_id=ASSIGNEE, name="x", code=invite.code) is None
    assert (await role(services, ASSIGNEE)) == Role.ASSIGNEE


async def test_invite_refusals(services: Services) -> None:
    with pytest.raises(StaffError, match="needs --department"):
        await create_invite(services, department=None, role="assignee")
    with pytest.raises(StaffError, match="unknown department"):
        await create_invite(services, department="nowhere", role="supervisor")
    assert await count(services, StaffInvite) == 0
