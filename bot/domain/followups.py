"""What the scheduled work records: reminders and escalations (督办), the survey's expiry,
spot checks (抽访) and recomputed deadlines. Each returns its ledger event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.errors import WrongState
from bot.domain.model import Rating, Status
from bot.domain.rules import Actor, check
from bot.domain.schedule import ESCALATION_LEVEL, Chase
from bot.domain.transitions import SYSTEM, Deadlines, LedgerEvent, RequestState, move


def expire_survey(req: RequestState, *, at: datetime) -> LedgerEvent:
    """A survey nobody answered within `survey_expires` closes the request as 未评价 (no
    answer), counted apart from the satisfied."""
    if req.status != Status.RESOLVED:
        raise WrongState(req.status)
    req.closed_at = at
    return move(req, "survey_expire", SYSTEM, Status.CLOSED, at, outcome="no_answer")


def chase(req: RequestState, kind: Chase, *, at: datetime) -> LedgerEvent:
    """A sweep's reminder or escalation (督办): recorded in the ledger, the state unchanged.

    Escalation is a level on the request, never a state: acceptance and deadline escalation
    raise it to 1 (the supervisor), the office escalation to 2.
    """
    level = ESCALATION_LEVEL.get(kind)
    detail: dict[str, Any] = {}
    if level is not None:
        req.escalation_level = max(req.escalation_level, level)
        detail["level"] = level
    status = Status(req.status)
    return LedgerEvent(kind.value, SYSTEM, status, status, at, detail)


def spot_check_sent(req: RequestState, *, at: datetime) -> LedgerEvent:
    """抽访: a closed request was drawn for a second, short survey."""
    status = Status(req.status)
    return LedgerEvent("spot_check_sent", SYSTEM, status, status, at)


def spot_check(req: RequestState, actor: Actor, *, rating: Rating, at: datetime) -> LedgerEvent:
    """The resident's answer to a spot check, recorded apart from the survey's rating."""
    check("spot_check", actor, req)
    status = Status(req.status)
    return LedgerEvent("spot_check", actor, status, status, at, {"rating": rating})


def spot_check_comment(req: RequestState, actor: Actor, *, comment: str, unsatisfied: bool,
                       at: datetime, voice: str | None = None) -> LedgerEvent:
    """The optional comment after a spot-check answer (`unsatisfied`: the office hears it);
    `voice`: the Telegram file id when the comment was said, not typed."""
    check("spot_check", actor, req)
    status = Status(req.status)
    detail: dict[str, str] = {"comment": comment}
    if voice:
        detail["voice"] = voice
    return LedgerEvent("spot_check_comment", actor, status, status, at, detail,
                       {"unsatisfied": unsatisfied})


def recompute(req: RequestState, deadlines: Deadlines, *, at: datetime) -> LedgerEvent:
    """New deadlines after the office changed the calendar or a category's limits; the ledger
    keeps the old and the new (ISO 8601, UTC), and the request's timers follow."""
    old = (req.accept_due_at, req.answer_due_at)
    if req.accept_due_at is not None:
        req.accept_due_at = deadlines.accept_due
    req.answer_due_at = deadlines.answer_due
    status = Status(req.status)
    detail = {"accept_due": [_iso(old[0]), _iso(req.accept_due_at)],
              "answer_due": [_iso(old[1]), _iso(req.answer_due_at)]}
    return LedgerEvent("deadlines_recomputed", SYSTEM, status, status, at, detail,
                       {"reschedule": True})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def unreachable(req: RequestState, *, at: datetime) -> LedgerEvent:
    """A task card reached nobody in its department (every assignee never opened the bot or
    blocked it, the group removed the bot): back to the office's queue (triage), to route
    again. Raises WrongState unless the task is still waiting to be accepted."""
    if req.status != Status.DISPATCHED:
        raise WrongState(req.status)
    department = req.department or ""
    req.department, req.accept_due_at = None, None
    return move(req, "unreachable", SYSTEM, Status.TRIAGE, at, department=department)
