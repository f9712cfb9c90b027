"""Residents' access: blocks set by the admin, the daily limit, and the script they read.

A blocked resident is answered as anyone else (nothing tells them), but their reports go
to triage flagged with the reason (bot.services.report.submit); `lianxin residents …`
drives these use cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import access
from bot.domain.model import Role
from bot.services.core import Services
from bot.services.ledger import actor_of
from storage import queries
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Blocked:
    """A blocked resident: Telegram id, the reason, since when (aware UTC)."""

    telegram_id: int
    reason: str
    since: datetime | None


async def block_resident(svc: Services, *, resident_id: int, reason: str) -> Blocked:
    """Block `resident_id` (a Telegram user id) with `reason` (shown on the office's triage
    cards of their reports); blocking again replaces the reason. Raises ValueError for an
    empty reason."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a block needs a --reason (the office sees it on the triage card)")
    async with svc.uow() as uow:
        row = await queries.resident_for_update(uow.session, resident_id, svc.now())
        row.block_reason, row.blocked_at, row.updated_at = reason, svc.now(), svc.now()
        await uow.commit()
    return Blocked(resident_id, reason, svc.now())


async def unblock_resident(svc: Services, *, resident_id: int) -> bool:
    """Lift a block; False if `resident_id` was not blocked."""
    async with svc.uow() as uow:
        row = await queries.resident(uow.session, resident_id)
        if row is None or row.block_reason is None:
            return False
        row.block_reason, row.blocked_at, row.updated_at = None, None, svc.now()
        await uow.commit()
    return True


async def blocked_residents(svc: Services) -> list[Blocked]:
    """Every blocked resident, longest blocked first."""
    async with svc.sessions() as session:
        rows = await queries.blocked_residents(session)
        return [Blocked(r.telegram_id, r.block_reason or "", r.blocked_at) for r in rows]


async def block_reason(uow: UnitOfWork, resident_id: int) -> str | None:
    """Why `resident_id` is blocked, or None."""
    row = await queries.resident(uow.session, resident_id)
    return row.block_reason if row is not None else None


async def at_daily_limit(uow: UnitOfWork, svc: Services, resident_id: int) -> bool:
    """Whether the resident has filed `residents.daily_reports` requests this local day."""
    start, end = access.local_day(svc.now(), svc.config.tz)
    filed = await queries.filed_between(uow.session, resident_id, start, end)
    return access.over_daily_limit(filed, svc.config.residents.daily_reports)


async def prefers_traditional(uow: UnitOfWork, resident_id: int,
                              language_code: str | None) -> bool:
    """Whether to answer `resident_id` in Traditional Chinese (inside the caller's unit):
    their Telegram language says so, or they were seen writing it."""
    if access.reads_traditional(language_code):
        return True
    row = await queries.resident(uow.session, resident_id)
    return row is not None and row.traditional


async def remember_traditional(uow: UnitOfWork, svc: Services, resident_id: int) -> None:
    """Keep that the resident reads Traditional Chinese (the caller commits)."""
    row = await queries.resident_for_update(uow.session, resident_id, svc.now())
    if not row.traditional:
        row.traditional, row.updated_at = True, svc.now()


async def own_phone(uow: UnitOfWork, resident_id: int) -> str | None:
    """The phone the resident shared as their own contact, if any."""
    row = await queries.resident(uow.session, resident_id)
    return row.phone if row is not None else None


async def remember_phone(uow: UnitOfWork, svc: Services, resident_id: int, phone: str) -> None:
    """Keep the phone the resident shared as their own contact (the caller commits)."""
    row = await queries.resident_for_update(uow.session, resident_id, svc.now())
    if row.phone != phone:
        row.phone, row.updated_at = phone, svc.now()


async def forget_phone(uow: UnitOfWork, resident_id: int) -> None:
    """/delete_my_data: the kept phone goes too (the caller commits)."""
    row = await queries.resident(uow.session, resident_id)
    if row is not None:
        row.phone = None


@dataclass(frozen=True)
class Reader:
    """Who is reading the bot's answer: their role (the staff table, else resident) and
    whether they read Traditional Chinese."""

    role: Role
    traditional: bool


async def reader(svc: Services, *, user_id: int, language_code: str | None) -> Reader:
    """`user_id`'s role and script, in one unit of work (/start, /help, /privacy):
    Traditional when their Telegram language says so or they were seen writing it."""
    async with svc.uow() as uow:
        actor = await actor_of(uow.session, user_id)
        seen = Reader(actor.role, await prefers_traditional(uow, user_id, language_code))
        await uow.commit()   # writes only the update being answered (bot.services.updates)
    return seen
