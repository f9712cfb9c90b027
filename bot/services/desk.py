"""The staff's desk: their task list, the office's triage queue, the overdue list, one
request's card with its history, and today's figures.

Lists are for staff only; each item opens a card showing the buttons the person may press
now (the rules table decides, as on every press).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain import figures
from bot.domain.errors import NotAllowed, UnknownRequest
from bot.domain.model import Role
from bot.domain.rules import Actor
from bot.domain.views import Card, HistoryItem, Page
from bot.services.cards import card_as_seen
from bot.services.core import Services
from bot.services.ledger import actor_of, view_of
from storage import queries

PAGE_SIZE = 5
OFFICE = (Role.DISPATCHER, Role.ADMIN)
STAFF = (Role.ASSIGNEE, Role.SUPERVISOR, *OFFICE)


def _require(actor: Actor, roles: tuple[Role, ...]) -> None:
    if actor.role not in roles:
        raise NotAllowed("desk")


async def _page(svc: Services, kind: str, actor_id: int, page: int,
                statement_of: Any, roles: tuple[Role, ...]) -> Page:
    async with svc.uow() as uow:
        actor = await actor_of(uow.session, actor_id)
        _require(actor, roles)
        rows, total, page, pages = await queries.page_of(uow.session, statement_of(actor),
                                                         page=page, size=PAGE_SIZE)
        items = tuple(view_of(r) for r in rows)
    return Page(kind, items, page, pages, total, page * PAGE_SIZE + 1)


async def my_tasks(svc: Services, *, actor_id: int, page: int = 0) -> Page:
    """/tasks: an assignee's accepted tasks and those waiting in their department."""
    return await _page(svc, "tasks", actor_id, page,
                       lambda a: queries.tasks_of(a.id, a.department),
                       (Role.ASSIGNEE, Role.SUPERVISOR))


async def triage_list(svc: Services, *, actor_id: int, page: int = 0) -> Page:
    """/triage: the office's queue of requests to route, oldest first."""
    return await _page(svc, "triage", actor_id, page, lambda a: queries.triage_queue(), OFFICE)


async def overdue_list(svc: Services, *, actor_id: int, page: int = 0) -> Page:
    """/overdue: a supervisor's department's overdue tasks (the office: all of them)."""
    now = svc.now()
    return await _page(svc, "overdue", actor_id, page,
                       lambda a: queries.overdue_of(now, None if a.role in OFFICE
                                                    else a.department),
                       (Role.SUPERVISOR, *OFFICE))


async def open_card(svc: Services, *, actor_id: int, number: str,
                    with_history: bool = False) -> Card:
    """A request's card for a staff member (/find gives the office its history too).

    Raises UnknownRequest, or NotAllowed for a resident or for staff of another
    department (the office sees every request).
    """
    async with svc.uow() as uow:
        actor = await actor_of(uow.session, actor_id)
        _require(actor, STAFF)
        req = await queries.request_by_number(uow.session, number)
        if req is None:
            raise UnknownRequest(number)
        mine = actor.department in (req.department, *(req.co_departments or ()))
        if actor.role not in OFFICE and not mine:
            raise NotAllowed("desk")
        events = await queries.history(uow.session, req.id) if with_history else ()
        return await card_as_seen(uow.session, actor, req, history=tuple(
            HistoryItem(e.at, e.kind, e.actor_role, dict(e.detail or {})) for e in events))


async def today_figures(svc: Services, *, actor_id: int) -> figures.Figures:
    """/stats today: the office's figures since local midnight, and what is overdue now."""
    now = svc.now()
    midnight = now.astimezone(svc.config.tz).replace(hour=0, minute=0, second=0,
                                                     microsecond=0)
    async with svc.uow() as uow:
        _require(await actor_of(uow.session, actor_id), OFFICE)
        rows = await queries.events_between(uow.session, midnight, midnight + timedelta(days=1))
        late = await queries.overdue(uow.session, now)
    return figures.count([r[:3] for r in rows], overdue=len(late))
