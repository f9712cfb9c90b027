"""Staff come from the config: the staff table mirrors it at every start."""

from __future__ import annotations

from bot.config import Config
from bot.domain.model import Role
from bot.services.core import Services
from bot.services.ledger import actor_of
from storage import queries
from storage.models import StaffMember


async def sync_staff(svc: Services, config: Config) -> int:
    """Add or update everyone in `config.staff`, deactivate whoever was removed."""
    listed = {s.telegram_id: s for s in config.staff}
    async with svc.uow() as uow:
        known = {m.telegram_id: m for m in await queries.all_staff(uow.session)}
        for telegram_id, person in listed.items():
            member = known.get(telegram_id)
            if member is None:
                member = StaffMember(telegram_id=telegram_id)
                uow.session.add(member)
            member.name, member.department = person.name, person.department
            member.role, member.active = person.role, True
        for telegram_id, member in known.items():
            if telegram_id not in listed:
                member.active = False
        await uow.commit()
    return len(listed)


async def role_of(svc: Services, *, user_id: int) -> Role:
    """The user's role: a staff role from the staff table, else resident."""
    async with svc.uow() as uow:
        return (await actor_of(uow.session, user_id)).role
