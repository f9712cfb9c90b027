"""Recomputing open requests' deadlines after the office edits the calendar or the limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import followups
from bot.services.core import Services
from bot.services.ledger import deadlines, record
from storage import queries


@dataclass(frozen=True)
class Change:
    """A request whose deadlines move (aware UTC; None: no such deadline)."""

    number: str
    accept_due: tuple[datetime | None, datetime | None]
    answer_due: tuple[datetime | None, datetime | None]


async def recompute_deadlines(svc: Services, *, apply: bool) -> list[Change]:
    """Every open request's deadlines as the current config and calendar give them.

    The accept limit counts from when the task last reached a department (submission, the
    office's routing, a reopen), the answer limit from the report or the last reopen.
    With `apply`, each change is written with its ledger row and the timers follow;
    otherwise nothing is written (a dry run). Returns the changes.
    """
    changes = []
    async with svc.uow() as uow:
        for req in await queries.open_requests(uow.session):
            reached = await queries.last_event_at(uow.session, req.id,
                                                  ("submit", "route", "reopen"))
            reopened = await queries.last_event_at(uow.session, req.id, ("reopen",))
            new = deadlines(svc, req, accept_from=reached or req.created_at,
                            answer_from=reopened or req.created_at)
            accept_due = new.accept_due if req.accept_due_at is not None else None
            if (accept_due, new.answer_due) == (req.accept_due_at, req.answer_due_at):
                continue
            changes.append(Change(req.number, (req.accept_due_at, accept_due),
                                  (req.answer_due_at, new.answer_due)))
            if apply:
                await record(uow, req, followups.recompute(req, new, at=svc.now()))
        if apply:
            await uow.commit()
    return changes
