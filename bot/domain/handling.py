"""Working a task between 接单 and 办结: progress notes, extensions (延期), restricted
(疑难受限) and back, and the co-handlers' part (协办). Each returns its ledger event.

The practice: "平台派单—部门接单—意见建议办理—情况反馈—平台回访"; "因政策、条件限制暂时
不能落实的…与群众做好解释说明" (restricted, explained to the resident, reviewed periodically);
"需要多个部门联合解决的，由区连心服务办公室细化分解责任" (a lead and co-handlers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.errors import WrongState
from bot.domain.model import Status
from bot.domain.rules import Actor, check
from bot.domain.transitions import Deadlines, LedgerEvent, RequestState, move


class Handled(RequestState, Protocol):
    """A request as the handling steps see it: with its co-handlers and pending extension."""

    co_departments: list[str] | None
    extension: dict[str, object] | None


def _same(req: Handled, kind: str, actor: Actor, at: datetime, **detail: object) -> LedgerEvent:
    status = Status(req.status)
    return LedgerEvent(kind, actor, status, status, at, detail)


def progress(req: Handled, actor: Actor, *, note: str, at: datetime) -> LedgerEvent:
    """进展: a progress note for the resident, kept in the ledger."""
    check("progress", actor, req)
    return _same(req, "progress", actor, at, note=note)


def request_extension(req: Handled, actor: Actor, *, due: datetime, reason: str,
                      at: datetime) -> LedgerEvent:
    """申请延期 to `due` (aware): pending until the office decides; the deadline does not move.

    Raises WrongState when `due` is not later than the current deadline.
    """
    check("extend", actor, req)
    if req.answer_due_at is not None and due <= req.answer_due_at:
        raise WrongState(req.status)
    req.extension = {"due": due.isoformat(), "reason": reason, "by": actor.id}
    return _same(req, "extension_requested", actor, at, due=due.isoformat(), reason=reason)


def decide_extension(req: Handled, actor: Actor, *, approve: bool,
                     at: datetime) -> LedgerEvent:
    """The office approves (the deadline moves, the timers follow) or refuses an extension.

    Raises WrongState when no extension is pending (decided already, or a stale card).
    """
    check("decide_extension", actor, req)
    if not req.extension:
        raise WrongState(req.status)
    due = str(req.extension["due"])
    req.extension = None
    if not approve:
        return _same(req, "extension_refused", actor, at, due=due)
    req.answer_due_at = datetime.fromisoformat(due)
    status = Status(req.status)
    return LedgerEvent("extension_approved", actor, status, status, at, {"due": due},
                       {"reschedule": True})


def restrict(req: Handled, actor: Actor, *, explanation: str, at: datetime) -> LedgerEvent:
    """疑难受限: cannot be done for now (policy, conditions); the resident is told why, the
    request leaves the overdue list and comes back to the office for review."""
    check("restrict", actor, req)
    req.extension = None
    return move(req, "restrict", actor, Status.RESTRICTED, at, explanation=explanation)


def resume(req: Handled, actor: Actor, *, deadlines: Deadlines, at: datetime) -> LedgerEvent:
    """恢复办理: the office brings a restricted request back to work, with a new deadline."""
    check("resume", actor, req)
    req.answer_due_at = deadlines.answer_due
    return move(req, "resume", actor, Status.IN_PROGRESS, at)


def close_restricted(req: Handled, actor: Actor, *, at: datetime) -> LedgerEvent:
    """The office closes a restricted request as it stands (counted as 疑难受限)."""
    check("close_restricted", actor, req)
    req.closed_at = at
    return move(req, "close_restricted", actor, Status.CLOSED, at)


def add_co_handler(req: Handled, actor: Actor, *, department: str,
                   at: datetime) -> LedgerEvent:
    """协办: the office adds a co-handling department to a routed task (the lead stays).

    Raises WrongState when it is the lead or already co-handling.
    """
    check("add_co_handler", actor, req)
    current = list(req.co_departments or [])
    if department == req.department or department in current:
        raise WrongState(req.status)
    req.co_departments = [*current, department]
    return _same(req, "co_added", actor, at, department=department)


def co_note(req: Handled, actor: Actor, *, note: str, at: datetime) -> LedgerEvent:
    """A co-handling department's part (协办意见), for the lead; only the lead resolves."""
    check("co_note", actor, req)
    return _same(req, "co_note", actor, at, note=note, department=actor.department)
