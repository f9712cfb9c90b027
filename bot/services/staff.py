"""Staff management: the config's staff mirrored at every start, members added and removed
by the admin's CLI, one-time invite codes redeemed in the bot.

Every change is in the staff table at once, and every press reads that table
(bot.services.ledger.actor_of), so none needs a restart. A member who leaves (removed by
the CLI, or dropped from the config) gives back every task they hold, with a ledger row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.domain import staffing
from bot.domain.model import Role
from bot.domain.staffing import Source, StaffError
from bot.notify import texts
from bot.services.core import Services
from bot.services.ledger import deadlines, record
from storage import queries
from storage.models import StaffInvite, StaffMember
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class StaffRow:
    """One member as `lianxin staff list` shows them."""

    telegram_id: int
    name: str
    role: str
    department: str | None
    source: str
    active: bool


@dataclass(frozen=True)
class Removed:
    """Who was removed and how many tasks they gave back."""

    name: str
    released: int


@dataclass(frozen=True)
class Invite:
    """A printed invite: the code (never stored) and when it stops working."""

    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Joined:
    """A redeemed invite: the department's name and the role's, for the welcome, and the
    role's code (its menu)."""

    department: str
    role: str
    role_code: str


def _not_in_config(config: Config, telegram_id: int, advice: str) -> None:
    """Raises StaffError if the config lists `telegram_id`: the config is the truth there."""
    listed = next((s for s in config.staff if s.telegram_id == telegram_id), None)
    if listed is not None:
        raise StaffError(f"{telegram_id} ({listed.name}) is listed in the config: {advice}")


def _row(member: StaffMember) -> StaffRow:
    return StaffRow(member.telegram_id, member.name, member.role, member.department,
                    member.source, member.active)


async def sync_staff(svc: Services, config: Config) -> int:
    """Mirror `config.staff` into the staff table: add or update everyone listed, deactivate
    config-listed members no longer listed (their tasks go back). Members added by the CLI
    or an invite are kept. Returns how many the config lists."""
    listed = {s.telegram_id: s for s in config.staff}
    async with svc.uow() as uow:
        known = {m.telegram_id: m for m in await queries.all_staff(uow.session)}
        for telegram_id, person in listed.items():
            member = known.get(telegram_id)
            if member is None:
                member = StaffMember(telegram_id=telegram_id)
                uow.session.add(member)
            member.name, member.department = person.name, person.department
            member.role, member.active, member.source = person.role, True, Source.CONFIG
        for telegram_id, member in known.items():
            if telegram_id not in listed and member.source == Source.CONFIG and member.active:
                await _deactivate(uow, svc, member)
        await uow.commit()
    return len(listed)


async def add_staff(svc: Services, *, telegram_id: int, name: str, role: str,
                    department: str | None) -> StaffRow:
    """`lianxin staff add`: a member effective at once (source "cli"); an inactive or
    CLI/invite member is updated and reactivated.

    Raises StaffError for a bad role or department, or a member the config lists.
    """
    staffing.check_staff_role(role, department, {d.code for d in svc.config.departments})
    _not_in_config(svc.config, telegram_id, "edit the config instead")
    async with svc.uow() as uow:
        member = await uow.session.get(StaffMember, telegram_id)
        if member is None:
            member = StaffMember(telegram_id=telegram_id)
            uow.session.add(member)
        member.name, member.role, member.department = name, role, department
        member.active, member.source = True, Source.CLI
        row = _row(member)
        await uow.commit()
    return row


async def remove_staff(svc: Services, *, telegram_id: int) -> Removed:
    """`lianxin staff remove`: the member's buttons stop working at once and their tasks
    in progress go back to the department (or triage).

    Raises StaffError for someone who is not active staff, or whom the config lists.
    """
    _not_in_config(svc.config, telegram_id, "edit the config to remove them")
    async with svc.uow() as uow:
        member = await uow.session.get(StaffMember, telegram_id)
        if member is None or not member.active:
            raise StaffError(f"{telegram_id} is not an active staff member")
        if member.source == Source.CONFIG:   # dropped from the config: the next start removes
            raise StaffError(f"{telegram_id} ({member.name}) came from the config: "
                             "restart the bot to apply the config")
        released = await _deactivate(uow, svc, member)
        await uow.commit()
    return Removed(member.name, released)


async def list_staff(svc: Services) -> list[StaffRow]:
    """Every member ever known, active first, by id."""
    async with svc.uow() as uow:
        members = await queries.all_staff(uow.session)
        return sorted((_row(m) for m in members), key=lambda r: (not r.active, r.telegram_id))


async def create_invite(svc: Services, *, department: str | None, role: str) -> Invite:
    """`lianxin staff invite`: a single-use code valid for 72 hours; only its hash is kept.

    Raises StaffError for a bad role or department.
    """
    staffing.check_staff_role(role, department, {d.code for d in svc.config.departments})
    code, now = staffing.new_invite_code(), svc.now()
    expires_at = now + staffing.INVITE_LIFETIME
    async with svc.uow() as uow:
        uow.session.add(StaffInvite(code_hash=staffing.hash_code(code), department=department,
                                    role=role, created_at=now, expires_at=expires_at))
        await uow.commit()
    return Invite(code, expires_at)


async def redeem_invite(svc: Services, *, user_id: int, name: str, code: str) -> Joined | None:
    """`/start CODE` in a private chat: the user becomes staff (source "invite").

    None, and nothing changed, for a code that is unknown, expired, used, or whose
    department left the config, and for a member the config lists: the caller says the
    same neutral thing for all, so the answer never tells whether a code exists.
    """
    now = svc.now()
    async with svc.uow() as uow:
        invite = await queries.invite_for_update(uow.session, staffing.hash_code(code))
        if invite is None or not staffing.invite_usable(expires_at=invite.expires_at,
                                                        used_at=invite.used_at, at=now):
            return None
        if invite.department is not None and svc.config.department(invite.department) is None:
            return None
        if any(s.telegram_id == user_id for s in svc.config.staff):
            return None
        member = await uow.session.get(StaffMember, user_id)
        if member is None:
            member = StaffMember(telegram_id=user_id)
            uow.session.add(member)
        member.name, member.role, member.department = name, invite.role, invite.department
        member.active, member.source = True, Source.INVITE
        invite.used_at, invite.used_by = now, user_id
        joined = _joined(svc.config, invite)
        await uow.commit()
    return joined


def _joined(config: Config, invite: StaffInvite) -> Joined:
    unit = config.department(invite.department) if invite.department else None
    return Joined(unit.name if unit else texts.OFFICE_NAME, texts.ROLE_NAMES[invite.role],
                  invite.role)


async def _deactivate(uow: UnitOfWork, svc: Services, member: StaffMember) -> int:
    """Deactivate `member` and give back every task they hold; returns how many."""
    member.active = False
    await uow.session.flush()
    reason = texts.RELEASE_REASON.format(name=member.name)   # plain: escaped when shown
    tasks = await queries.tasks_held_by(uow.session, member.telegram_id)
    for req in tasks:
        staffed = req.department is not None and bool(await queries.active_staff(
            uow.session, role=Role.ASSIGNEE, department=req.department))
        event = staffing.release(req, former=member.telegram_id, department_staffed=staffed,
                                 accept_due=deadlines(svc, req).accept_due, reason=reason,
                                 at=svc.now())
        await record(uow, req, event)
    return len(tasks)
