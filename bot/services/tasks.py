"""Staff use cases: 接单, 退单, 办结 and the dispatcher's routing.

Each opens a unit of work (or runs inside the caller's, for the steps a typed answer
finishes), loads the locked request, calls the domain transition, records its ledger row
and returns a plain view.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import handling, transitions
from bot.domain.errors import NotAllowed
from bot.domain.views import RequestView
from bot.notify import texts
from bot.notify.replies import Say
from bot.services.core import Services
from bot.services.ledger import deadlines, load, record, view_of
from storage.models import Attachment
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Accepted:
    """The task as its acceptor now sees it."""

    request: RequestView
    acceptor: str
    in_group: bool   # pressed on the department group's card: the group's copy stays masked


async def accept_task(svc: Services, *, actor_id: int, number: str,
                      in_group: bool = False, card: tuple[int, int] | None = None) -> Accepted:
    """接单 by `actor_id` (a Telegram user id) of request `number`; `card` (chat id,
    message id) is the pressed card, which the caller updates (every other copy is edited
    through the outbox).

    Raises UnknownRequest, NotAllowed, WrongState, AlreadyTaken.
    """
    async with svc.uow() as uow:
        uow.shown.update([card] if card else [])
        req, actor = await load(uow, "accept", actor_id=actor_id, number=number)
        event = transitions.accept(req, actor, at=svc.now(), in_group=in_group)
        view = await record(uow, req, event)
        await uow.commit()
    return Accepted(view, actor.name, in_group)


async def route_request(svc: Services, *, actor_id: int, number: str, category: str,
                        area: str | None = None,
                        card: tuple[int, int] | None = None) -> RequestView:
    """A dispatcher routes a triaged request to `category` (and, if territorial, `area`);
    `card` is the pressed triage card, which the caller updates.

    Raises NotAllowed for a category or area the config does not have (forged or outdated
    button data), and whatever the rules raise.
    """
    async with svc.uow() as uow:
        uow.shown.update([card] if card else [])
        req, actor = await load(uow, "route", actor_id=actor_id, number=number)
        chosen = svc.config.category(category)
        unit = next((a for a in svc.config.areas if a.code == area), None)
        if chosen is None or (chosen.territorial and unit is None):
            raise NotAllowed("route")
        territorial = chosen.territorial and unit is not None
        department = unit.unit if territorial and unit else chosen.department
        req.category = chosen.code   # the chosen category's limits apply from here
        event = transitions.route(
            req, actor, category=chosen.code, department=department or "",
            area=unit.code if territorial and unit else None, at=svc.now(),
            deadlines=deadlines(svc, req, answer_from=req.created_at))
        view = await record(uow, req, event)
        await uow.commit()
    return view


async def request_for(svc: Services, action: str, *, actor_id: int,
                      number: str) -> RequestView:
    """The request, once the rules allow `actor_id` to do `action` to it now: what a keyboard
    of choices (every category to route to, every department to add as co-handler) is
    drawn for. Raises what the rules raise."""
    async with svc.uow() as uow:
        req, _actor = await load(uow, action, actor_id=actor_id, number=number)
        return view_of(req)


async def add_co_handler(svc: Services, *, actor_id: int, number: str,
                         department: str) -> RequestView:
    """协办: the office adds `department` as a co-handler of a routed task.

    Raises NotAllowed for a department the config does not have, WrongState when it is the
    lead or already co-handling, and whatever the rules raise.
    """
    if svc.config.department(department) is None:
        raise NotAllowed("add_co_handler")
    async with svc.uow() as uow:
        req, actor = await load(uow, "add_co_handler", actor_id=actor_id, number=number)
        view = await record(uow, req, handling.add_co_handler(req, actor, department=department,
                                                              at=svc.now()))
        await uow.commit()
    return view



async def return_task(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                      reason: str) -> Say:
    """退单 with `reason`, inside the caller's unit: back to the office for triage."""
    req, actor = await load(uow, "return", actor_id=actor_id, number=number)
    await record(uow, req, transitions.return_task(req, actor, reason=reason, at=svc.now()))
    return Say(texts.RETURNED_ACK, {"number": req.number})


async def resolve_task(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                       answer: str, photo: str | None = None) -> Say:
    """办结 with `answer` (and a `photo` file id: the answer was a photo's caption), inside
    the caller's unit: the answer, the photo and the survey go out."""
    req, actor = await load(uow, "resolve", actor_id=actor_id, number=number)
    later = svc.config.limits_for(req.category, urgent=req.urgent).survey_delay.amount > 0
    now = svc.now()
    if photo is not None:
        uow.session.add(Attachment(request_id=req.id, kind="answer_photo", file_id=photo,
                                   added_by=actor_id, created_at=now))
    await record(uow, req, transitions.resolve(req, actor, answer=answer, at=now,
                                               survey_later=later,
                                               photos=(photo,) if photo else ()))
    return Say(texts.RESOLVED_ACK, {"number": req.number})
