"""Destinations the bot cannot reach, and groups that moved: what the outbox worker reports.

`bot.app` hands these to the delivery layer as its hooks (delivery imports no services):

* `chat_unreachable(svc, row)`: a 403 (never opened the bot, blocked it, removed it from a
  group) or a deleted group. The office is told once per destination (`unreachable_chats`)
  until the chat is reached again (`chat_reached`, or a send that succeeds): a later loss is
  told again. In words; a task card
  that now reached nobody in its department goes back to the office (an `unreachable` ledger
  event, dispatched → triage, told by the policy).
* `chat_migrated(svc, old, new)`: a group upgraded to a supergroup (from a send's
  migrate_to_chat_id or the group's service message): the department's chat becomes `new`
  (a `department_chats` row, read before the config's `chat_id`), and the rows queued for
  `old` follow.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Config
from bot.domain import followups
from bot.domain.model import Status
from bot.notify import texts
from bot.services.cards import department_group, group_department
from bot.services.core import Services
from bot.services.ledger import record
from bot.services.publish import department_chats, office_chats
from storage import queries
from storage.models import OutboxMessage, StaffMember
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

REACHED = ("pending", "sent")   # a card that may still arrive, or did


def _notice(config: Config, chat_id: int, error: str, department: str | None,
            member: StaffMember | None, lost: str) -> str | None:
    """The office's words for an unreachable destination; None for a resident's chat."""
    if department is not None:
        unit = config.department(department)
        return texts.fmt(texts.UNREACHABLE_GROUP, department=unit.name if unit else department,
                         lost=texts.Html(lost))
    if member is None:
        return None
    unit = config.department(member.department or "")
    template = (texts.UNREACHABLE_BLOCKED if "blocked" in error.lower()
                else texts.UNREACHABLE_NEVER_OPENED)
    return texts.fmt(template, name=member.name, lost=texts.Html(lost),
                     department=unit.name if unit else texts.NO_DEPARTMENT)


async def _tell_office(session: AsyncSession, svc: Services, row: OutboxMessage,
                       number: str | None) -> None:
    department = await group_department(session, svc.config, row.chat_id)
    member = await session.get(StaffMember, row.chat_id)
    lost = (texts.fmt(texts.UNREACHABLE_TASK, number=number) if number
            else texts.UNREACHABLE_OTHER)
    text = _notice(svc.config, row.chat_id, row.last_error or "", department, member, lost)
    now = svc.now()
    if text is None or not await queries.mark_unreachable(session, row.chat_id, now):
        return   # a resident's chat, or the office already knows (and it was not reached since)
    for office in await office_chats(session):
        if office != row.chat_id:
            queries.add_outbox(session, chat_id=office, kind="unreachable", at=now, text=text)


async def chat_reached(svc: Services, chat_id: int) -> None:
    """`chat_id` reached us again (the user sent /start, the bot was added back to the
    group): a later loss is told to the office again. (A send that succeeds says the same;
    the outbox worker notes it itself.)"""
    async with svc.uow() as uow:
        await queries.mark_reachable(uow.session, chat_id)
        await uow.commit()


async def chat_unreachable(svc: Services, row: OutboxMessage) -> None:
    """Outbox row `row` was undeliverable (403, deleted group): tell the office once per
    destination until it is reached again; a task card that reached nobody in its
    department is re-offered."""
    async with svc.uow() as uow:
        session = uow.session
        req = (await queries.request_by_id_for_update(session, row.request_id)
               if row.request_id is not None else None)
        await _tell_office(session, svc, row, req.number if req else None)
        if req is not None and row.kind == "task_card" and req.status == Status.DISPATCHED \
                and req.department is not None:
            chats = set(await department_chats(session, svc.config, req.department))
            cards = [r for r in await queries.outbox_rows_of_request(session, req.id,
                                                                     "task_card")
                     if r.chat_id in chats]
            if not any(r.status in REACHED for r in cards):
                log.warning("task %s reached nobody in %s: back to the office", req.number,
                            req.department)
                await record(uow, req, followups.unreachable(req, at=svc.now()))
        await uow.commit()


async def chat_migrated(svc: Services, old_chat: int, new_chat: int) -> list[str]:
    """Group `old_chat` is now supergroup `new_chat`: departments whose group it was use the
    new id from now on, and rows still queued for the old one follow. Returns their codes.
    Idempotent (the send's error and the service message may both report it)."""
    async with svc.uow() as uow:
        session, now = uow.session, svc.now()
        overrides = await queries.department_chat_overrides(session)
        moved = []
        for unit in svc.config.departments:
            if department_group(unit.chat_id, overrides.get(unit.code)) == old_chat:
                await queries.set_department_chat(session, department=unit.code,
                                                  chat_id=new_chat, replaces=unit.chat_id,
                                                  now=now)
                moved.append(unit.code)
        await queries.retarget_outbox(session, old_chat=old_chat, new_chat=new_chat)
        await uow.commit()
    if moved:
        log.warning("group %s became supergroup %s: department(s) %s now use it "
                    "(update chat_id in the config)", old_chat, new_chat, ", ".join(moved))
    if svc.wake_outbox is not None:
        svc.wake_outbox()
    return moved


async def outdated_chats(sessions: async_sessionmaker[AsyncSession],
                         config: Config) -> list[tuple[str, int, int]]:
    """(department, configured chat, chat in use) where Telegram moved the group (for
    `lianxin check-config`)."""
    async with UnitOfWork(sessions) as uow:
        overrides = await queries.department_chat_overrides(uow.session)
    found = []
    for unit in config.departments:
        used = department_group(unit.chat_id, overrides.get(unit.code))
        if unit.chat_id is not None and used != unit.chat_id:
            found.append((unit.code, unit.chat_id, used))   # type: ignore[arg-type]
    return found
