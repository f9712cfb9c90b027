"""Loading a request and its actor, and recording a transition's ledger row.

One transition = one domain function = one ledger row, added here to the unit of work with
the state change; the notification policy turns the recorded events into outbox rows when
the unit commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import AlreadyTaken, UnknownRequest, WrongState
from bot.domain.model import Role, Status
from bot.domain.rules import Actor, check
from bot.domain.transitions import Deadlines, LedgerEvent
from bot.domain.views import RequestView
from bot.services.core import Services
from storage import queries
from storage.models import Event, Request
from storage.uow import UnitOfWork


async def actor_of(session: AsyncSession, user_id: int) -> Actor:
    """Staff roles come from the staff table (filled from the config); anyone else is a resident."""
    member = await queries.staff_member(session, user_id)
    if member is None:
        return Actor(user_id, Role.RESIDENT, None, "")
    return Actor(user_id, Role(member.role), member.department, member.name)


async def load(uow: UnitOfWork, action: str, *, actor_id: int,
               number: str) -> tuple[Request, Actor]:
    """The request, locked until the unit ends, and the actor, once the rules allow `action`.

    Raises UnknownRequest, NotAllowed, WrongState, or AlreadyTaken (a second 接单, naming
    whoever took it).
    """
    req = await queries.request_for_update(uow.session, number)
    if req is None:
        raise UnknownRequest(number)
    actor = await actor_of(uow.session, actor_id)
    try:
        check(action, actor, req)
    except WrongState:
        if action == "accept" and req.assignee_id is not None:
            taker = await queries.staff_member(uow.session, req.assignee_id)
            raise AlreadyTaken(req.status, taker.name if taker else "") from None
        raise
    return req, actor


def view_of(req: Request) -> RequestView:
    """A snapshot of the row, safe to use once the unit has closed."""
    return RequestView(
        number=req.number, status=Status(req.status), resident_id=req.resident_id,
        description=req.description, created_at=req.created_at,
        resident_name=req.resident_name, phone=req.phone, address=req.address,
        latitude=req.latitude, longitude=req.longitude, category=req.category,
        department=req.department, area=req.area, urgent=req.urgent,
        traditional=req.traditional, answer=req.answer, reopen_count=req.reopen_count,
        escalation_level=req.escalation_level, assignee_id=req.assignee_id,
        accept_due_at=req.accept_due_at, answer_due_at=req.answer_due_at,
        routing=dict(req.routing or {}), co_departments=tuple(req.co_departments or ()),
        extension=dict(req.extension) if req.extension else None,
        flag=req.flag, proxy=bool(req.proxy), joined=req.joined_count or 0,
    )


async def record(uow: UnitOfWork, req: Request, event: LedgerEvent) -> RequestView:
    """Add the event's ledger row to the unit and keep it for the notification policy;
    returns the request's view as the event left it."""
    if req.id is None:   # a new request: the ledger row needs its id
        uow.session.add(req)
        await uow.session.flush()
    actor_id = None if event.actor.role == Role.SYSTEM else event.actor.id
    uow.session.add(Event(request_id=req.id, kind=event.kind, actor_id=actor_id,
                          actor_role=event.actor.role, from_status=event.from_status,
                          to_status=event.to_status, at=event.at, detail=dict(event.detail)))
    view = view_of(req)
    uow.pending.append((req, view, event))
    return view


def deadlines(svc: Services, req: Request, *, accept_from: datetime | None = None,
              answer_from: datetime | None = None) -> Deadlines:
    """Deadlines from the request's category and urgency, counted from the given moments
    (default: now)."""
    now = svc.now()
    limits = svc.config.limits_for(req.category, urgent=req.urgent)
    return Deadlines.of(svc.calendar, accept=limits.accept, answer=limits.answer,
                        accept_from=accept_from or now, answer_from=answer_from or now)
