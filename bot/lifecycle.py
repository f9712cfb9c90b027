"""The request lifecycle: one function per transition, each guarded by who may do it
from which states, each writing exactly one ledger row with its state change.

Transitions take an open unit of work and never commit: the caller commits, so a
transition, its ledger row, its outbox rows and any conversation change land together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import notices, render, texts
from bot.domain.errors import AlreadyTaken, NotAllowed, UnknownRequest, WrongState
from bot.domain.model import Rating, RequestView, Role, Status
from bot.replies import Buttons, Reply
from bot.services import Services
from bot.texts import Html, fmt
from storage import queries
from storage.models import Attachment, Event, Request
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Actor:
    id: int
    role: Role
    department: str | None
    name: str


async def actor_of(session: AsyncSession, user_id: int) -> Actor:
    """Staff roles come from the staff table (filled from the config); anyone else is a resident."""
    member = await queries.staff_member(session, user_id)
    if member is None:
        return Actor(user_id, Role.RESIDENT, None, "")
    return Actor(user_id, Role(member.role), member.department, member.name)


def _office(actor: Actor, req: Request) -> bool:
    return actor.role in (Role.DISPATCHER, Role.ADMIN)


def _staff(actor: Actor) -> bool:
    return actor.role in (Role.ASSIGNEE, Role.SUPERVISOR)


def _handler(actor: Actor, req: Request) -> bool:
    return _staff(actor) and actor.department == req.department


def _holder(actor: Actor, req: Request) -> bool:
    """Whoever accepted the task answers it (or the department's supervisor, covering)."""
    return _handler(actor, req) and (actor.id == req.assignee_id
                                     or actor.role == Role.SUPERVISOR)


def _owner(actor: Actor, req: Request) -> bool:
    return actor.id == req.resident_id


RULES: dict[str, tuple[Callable[[Actor, Request], bool], frozenset[Status]]] = {
    "route": (_office, frozenset({Status.TRIAGE})),
    "accept": (_handler, frozenset({Status.DISPATCHED})),
    "return": (_handler, frozenset({Status.DISPATCHED})),
    "resolve": (_holder, frozenset({Status.IN_PROGRESS})),
    "rate": (_owner, frozenset({Status.RESOLVED})),
    "reopen": (_owner, frozenset({Status.RESOLVED})),
    "withdraw": (_owner, frozenset({Status.TRIAGE, Status.DISPATCHED})),
}


def check(action: str, actor: Actor, req: Request) -> None:
    """Raise unless `actor` may do `action` to `req` in its current state."""
    may, states = RULES[action]
    if not may(actor, req):
        if _staff(actor) and may in (_handler, _holder) and req.status not in states:
            # the task moved on (returned, re-routed, answered): a stale card, not a trespass
            raise WrongState(req.status)
        raise NotAllowed(action)
    if req.status not in states:
        raise WrongState(req.status)


async def load(uow: UnitOfWork, action: str, *, actor_id: int,
               number: str) -> tuple[Request, Actor]:
    """The locked request and the actor, after checking the rule for `action`."""
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


def _record(session: AsyncSession, req: Request, kind: str, actor: Actor, to: Status,
            at: datetime, *, first: bool = False, **detail: Any) -> None:
    """The one ledger row of a transition, and the state change it records.

    `first`: the request's submission, which comes from no state at all.
    """
    session.add(Event(request_id=req.id, kind=kind, actor_id=actor.id, actor_role=actor.role,
                      from_status=None if first else req.status, to_status=to, at=at,
                      detail=detail))
    req.status = to


def view_of(req: Request) -> RequestView:
    return RequestView(
        number=req.number, status=Status(req.status), description=req.description,
        address=req.address, category=req.category, department=req.department,
        urgent=req.urgent, traditional=req.traditional, created_at=req.created_at,
        answer=req.answer, matched_words=tuple(req.routing.get("matched", [])),
        answer_due_at=req.answer_due_at,
    )


@dataclass(frozen=True)
class Draft:
    """A finished report, as the conversation collected it."""

    description: str
    photos: tuple[str, ...] = ()
    voice: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    traditional: bool = False


async def _number(session: AsyncSession, svc: Services, now: datetime) -> str:
    day = now.astimezone(svc.config.tz).strftime("%Y%m%d")
    return f"{day}-{await queries.next_sequence(session, day):04d}"


def _routing_record(decision: Any) -> dict[str, Any]:
    return {
        "matched": list(decision.matched_words),
        "candidates": [{"category": c.category, "score": round(c.score, 3),
                        "department": c.department} for c in decision.candidates],
        "urgent_words": list(decision.urgent_words),
        "confident": decision.confident,
    }


def _set_deadlines(svc: Services, req: Request, *, accept_from: datetime,
                   answer_from: datetime) -> None:
    """Deadlines from the request's category and urgency (the office's choice counts too)."""
    limits = svc.config.limits_for(req.category, urgent=req.urgent)
    req.accept_due_at = svc.calendar.add(accept_from, limits.accept)
    req.answer_due_at = svc.calendar.add(answer_from, limits.answer)


async def submit(uow: UnitOfWork, svc: Services, *, resident_id: int,
                 resident_name: str | None, draft: Draft) -> Request:
    """A new request: routed to a department when the router is confident, else to triage."""
    session, now = uow.session, svc.now()
    location = (draft.latitude, draft.longitude) if draft.latitude is not None else None
    decision = svc.router.classify(draft.description, address=draft.address, location=location)
    req = Request(
        number=await _number(session, svc, now), resident_id=resident_id,
        resident_name=resident_name, phone=draft.phone, description=draft.description,
        address=draft.address, latitude=draft.latitude, longitude=draft.longitude,
        traditional=draft.traditional or decision.traditional, status=Status.TRIAGE,
        category=decision.category, area=decision.area, urgent=decision.urgent,
        routing=_routing_record(decision), reopen_count=0, escalation_level=0, created_at=now,
    )
    session.add(req)
    await session.flush()
    for photo in draft.photos:
        session.add(Attachment(request_id=req.id, kind="photo", file_id=photo,
                               added_by=resident_id, created_at=now))
    if draft.voice:
        session.add(Attachment(request_id=req.id, kind="voice", file_id=draft.voice,
                               added_by=resident_id, created_at=now))
    resident = Actor(resident_id, Role.RESIDENT, None, resident_name or "")
    target = Status.DISPATCHED if decision.confident else Status.TRIAGE
    _set_deadlines(svc, req, accept_from=now, answer_from=now)
    if decision.confident:
        req.department = decision.department
    else:
        req.accept_due_at = None   # nobody can accept before the office routes it
    _record(session, req, "submit", resident, target, now, first=True,
            department=req.department, category=req.category)
    await session.flush()
    if decision.confident:
        await notices.task_cards(session, svc.config, req, at=now)
    else:
        await notices.triage_cards(session, svc.config, req, at=now)
    if req.urgent:
        # the office hears of an urgent request at once, whoever handles it
        await notices.to_office(session, req, at=now, kind="urgent_alert",
                                text=render.urgent_notice(req))
    return req


async def route(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                category: str, area: str | None = None) -> Reply:
    """A dispatcher sends a triaged request to a category's department (or area's unit)."""
    req, actor = await load(uow, "route", actor_id=actor_id, number=number)
    chosen = svc.config.category(category)
    unit = next((a for a in svc.config.areas if a.code == area), None)
    if chosen is None or (chosen.territorial and unit is None):
        raise NotAllowed("route")  # forged or outdated data: nothing to route to
    now = svc.now()
    req.category = chosen.code
    if chosen.territorial and unit is not None:
        req.department, req.area = unit.unit, unit.code
    else:
        req.department = chosen.department
    _set_deadlines(svc, req, accept_from=now, answer_from=req.created_at)
    _record(uow.session, req, "route", actor, Status.DISPATCHED, now, category=chosen.code,
            department=req.department, area=req.area)
    await uow.session.flush()
    await notices.task_cards(uow.session, svc.config, req, at=now)
    card = render.triage_card(svc.config, req)
    done = fmt(texts.ROUTED_TO, department=render.department_name(svc.config, req.department))
    return Reply(Html(card + done))


async def accept(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                 in_group: bool = False) -> Reply:
    """接单: the assignee takes the task; the resident hears it is being handled.

    Pressed in a department's group, the group's card keeps the phone masked and the
    assignee gets the full card in their own chat.
    """
    req, actor = await load(uow, "accept", actor_id=actor_id, number=number)
    now = svc.now()
    req.assignee_id, req.accepted_at = actor.id, now
    _record(uow.session, req, "accept", actor, Status.IN_PROGRESS, now)
    department = render.department_name(svc.config, req.department)
    notices.to_resident(uow.session, req, fmt(texts.RESIDENT_ACCEPTED, number=req.number,
                                              department=department),
                        kind="accepted", at=now)
    note = fmt(texts.ACCEPTED_BY, name=actor.name,
               answer_due=render.local_time(req.answer_due_at, svc.config.tz))
    buttons = render.task_buttons(req.number, Status.IN_PROGRESS)

    def card(reveal: bool) -> Html:
        return Html(render.task_card(svc.config, req, title=texts.TITLE_NEW_TASK,
                                     reveal_contact=reveal) + note)

    if in_group:
        notices.queue(uow.session, chat_id=actor.id, kind="task_card", at=now, text=card(True),
                      request=req, buttons=buttons)
    return Reply(card(not in_group), buttons)


async def return_task(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                      reason: str) -> Reply:
    """退单: a misrouted task goes back to the office with the reason."""
    req, actor = await load(uow, "return", actor_id=actor_id, number=number)
    now, department = svc.now(), req.department or ""
    req.department, req.accept_due_at = None, None
    _record(uow.session, req, "return", actor, Status.TRIAGE, now, department=department,
            reason=reason)
    await notices.triage_cards(uow.session, svc.config, req, at=now,
                               returned=(department, reason))
    return Reply(fmt(texts.RETURNED_ACK, number=req.number))


async def resolve(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                  answer: str) -> Reply:
    """办结: the answer goes to the resident with the satisfaction survey."""
    req, actor = await load(uow, "resolve", actor_id=actor_id, number=number)
    now = svc.now()
    req.answer, req.resolved_at = answer, now
    _record(uow.session, req, "resolve", actor, Status.RESOLVED, now, answer=answer)
    text = fmt(texts.RESIDENT_ANSWER, number=req.number, answer=answer,
               department=render.department_name(svc.config, req.department))
    notices.to_resident(uow.session, req, text, kind="answer", at=now,
                        buttons=render.survey_buttons(req.number))
    return Reply(fmt(texts.RESOLVED_ACK, number=req.number))


async def rate(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
               rating: Rating) -> Reply:
    """满意 / 基本满意 closes the request (不满意 goes through `reopen`, with a reason)."""
    if rating == Rating.UNSATISFIED:
        raise NotAllowed("rate")
    req, actor = await load(uow, "rate", actor_id=actor_id, number=number)
    now = svc.now()
    req.rating, req.closed_at = rating, now
    _record(uow.session, req, "rate", actor, Status.CLOSED, now, rating=rating)
    return Reply(texts.localise(fmt(texts.THANKS_RATING, number=req.number), req.traditional))


async def reopen(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                 reason: str) -> Reply:
    """不满意打回重新办理: back to the same department, with the reason on a new card."""
    req, actor = await load(uow, "reopen", actor_id=actor_id, number=number)
    now = svc.now()
    req.rating, req.assignee_id, req.accepted_at = Rating.UNSATISFIED, None, None
    req.reopen_count += 1
    limits = svc.config.limits_for(req.category, urgent=req.urgent)
    if req.reopen_count > limits.max_reopens:
        req.escalation_level += 1  # too many reopens: the office must look at it
    _set_deadlines(svc, req, accept_from=now, answer_from=now)
    _record(uow.session, req, "reopen", actor, Status.DISPATCHED, now, reason=reason,
            reopen_count=req.reopen_count)
    await notices.task_cards(uow.session, svc.config, req, at=now, reason=reason)
    if req.reopen_count > limits.max_reopens:
        await notices.to_office(uow.session, req, at=now, kind="reopen_escalation", text=fmt(
            texts.REOPEN_ESCALATION, number=req.number, count=req.reopen_count, reason=reason,
            department=render.department_name(svc.config, req.department)))
    return Reply(texts.localise(fmt(texts.REOPENED, number=req.number, department=(
        render.department_name(svc.config, req.department))), req.traditional))


async def withdraw(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str) -> Reply:
    """The resident withdraws a request nobody has accepted yet."""
    req, actor = await load(uow, "withdraw", actor_id=actor_id, number=number)
    now = svc.now()
    req.closed_at, req.accept_due_at = now, None
    _record(uow.session, req, "withdraw", actor, Status.WITHDRAWN, now)
    await notices.withdrawn(uow.session, svc.config, req, at=now)
    return Reply(texts.localise(fmt(texts.WITHDRAWN, number=req.number), req.traditional))


async def my_requests(svc: Services, *, resident_id: int) -> list[RequestView]:
    async with svc.uow() as uow:
        return [view_of(r) for r in await queries.requests_of_resident(uow.session, resident_id)]


async def triage_keyboard(svc: Services, *, actor_id: int, number: str) -> Buttons:
    """Every category as a route button, for a dispatcher whose candidates were all wrong."""
    async with svc.uow() as uow:
        req, _actor = await load(uow, "route", actor_id=actor_id, number=number)
        return render.triage_buttons(svc.config, req, everything=True)
