"""/delete_my_data: a resident's personal data erased from all their requests.

Name, phone, address and location go from every request (and from the stored copies of the
cards that showed them); the requests and their ledger stay, the ledger rows anonymised. The
requests they joined (+1) stop telling them anything: the subscriptions go, and the ledger's
join rows lose who joined and what they wrote (the count of residents affected stays). The
practice: the public record of the work is kept, the person's data is not (PIPL art. 47).
"""

from __future__ import annotations

from bot.domain import residents
from bot.domain.model import Role
from bot.domain.rules import Actor
from bot.notify import render, texts
from bot.notify.replies import Say
from bot.services import access
from bot.services.core import Services
from bot.services.ledger import record
from storage import queries
from storage.uow import UnitOfWork


def _secrets(name: str | None, phone: str | None) -> list[str]:
    """The forms in which cards showed the name and phone: whole and masked, longest first."""
    found = [s for s in (phone, name) if s]
    found += [render.mask_phone(phone)] if phone else []
    found += [render.mask_name(name)] if name and len(name) > 1 else []
    return sorted(set(found), key=len, reverse=True)


async def _erase_all(uow: UnitOfWork, svc: Services, user_id: int) -> int:
    resident = Actor(user_id, Role.RESIDENT, None, "")
    requests = await queries.requests_of_resident(uow.session, user_id, limit=None)
    secrets: list[str] = []
    for req in requests:
        secrets += _secrets(req.resident_name, req.phone)
        await record(uow, req, residents.erase_personal_data(req, resident, at=svc.now()))
    await uow.session.flush()
    await queries.anonymise_resident(uow.session, user_id, [r.id for r in requests],
                                     sorted(set(secrets), key=len, reverse=True))
    await queries.forget_subscriptions(uow.session, user_id)
    return len(requests)


async def erase(svc: Services, *, user_id: int) -> Say:
    """Erase (after the resident confirmed); a draft in progress goes too."""
    async with svc.uow() as uow:
        count = await _erase_all(uow, svc, user_id)
        await access.forget_phone(uow, user_id)   # no longer shows others' 代报 for it
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is not None:
            await uow.session.delete(conv)
        await uow.commit()
    return Say(texts.ERASED, {"count": count})
