"""The request lifecycle: one function per transition.

Each checks the rules table, changes the request and returns the one ledger event
(台账 row) that records it. Nothing here touches a session, Telegram or a text: the
service layer stores the event with the change in one transaction, and the
notification policy (bot.notify.policy) decides from the event who is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.domain.calendar import WorkCalendar
from bot.domain.durations import Duration
from bot.domain.errors import NotAllowed
from bot.domain.model import Rating, Role, Status
from bot.domain.rules import Actor, check

SYSTEM = Actor(0, Role.SYSTEM, None, "")   # the scheduled sweeps


class RequestState(Protocol):
    """The fields of a request that transitions change (an ORM row satisfies it)."""

    status: str
    resident_id: int
    department: str | None
    category: str | None
    area: str | None
    urgent: bool
    assignee_id: int | None
    answer: str | None
    rating: str | None
    reopen_count: int
    escalation_level: int
    created_at: datetime
    accept_due_at: datetime | None
    answer_due_at: datetime | None
    co_departments: list[str] | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class LedgerEvent:
    """What happened to a request: one ledger row.

    `detail` is stored in the ledger; `context` is what the notification policy needs to
    know and the ledger does not keep (where a button was pressed).
    """

    kind: str
    actor: Actor
    from_status: Status | None
    to_status: Status
    at: datetime
    detail: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadlines:
    """When a task must be accepted (None: nobody can accept it yet) and answered."""

    accept_due: datetime | None
    answer_due: datetime

    @classmethod
    def of(cls, calendar: WorkCalendar, *, accept: Duration, answer: Duration,
           accept_from: datetime, answer_from: datetime) -> Deadlines:
        """Deadlines from the limits (a category's, or urgency's) and where they count from.

        The answer limit counts from the report ("原则上 7 个工作日内…答复"), the accept
        limit from the moment the task reached a department.
        """
        return cls(calendar.deadline(accept_from, accept), calendar.deadline(answer_from, answer))


def move(req: RequestState, kind: str, actor: Actor, to: Status, at: datetime, *,
          context: Mapping[str, Any] | None = None, first: bool = False,
          **detail: Any) -> LedgerEvent:
    """Change the state and return its ledger event (`first`: the submission, from nowhere)."""
    event = LedgerEvent(kind, actor, None if first else Status(req.status), to, at, detail,
                        context or {})
    req.status = to
    return event


def _set(req: RequestState, deadlines: Deadlines) -> None:
    req.accept_due_at, req.answer_due_at = deadlines.accept_due, deadlines.answer_due


def submit(req: RequestState, resident: Actor, *, department: str | None,
           deadlines: Deadlines, at: datetime, flag: str | None = None) -> LedgerEvent:
    """A new request: to `department` when the router was confident, else to triage.

    `flag` (the reason its resident was blocked) sends it to triage whatever the router
    said, the reason kept in the ledger row ("flagged") and shown on the office's card.
    """
    if flag is not None:
        department = None
    _set(req, deadlines)
    req.department = department
    if department is None:
        req.accept_due_at = None   # nobody can accept before the office routes it
    target = Status.DISPATCHED if department else Status.TRIAGE
    extra = {"flagged": flag} if flag is not None else {}
    return move(req, "submit", resident, target, at, first=True, department=department,
                category=req.category, **extra)


def route(req: RequestState, actor: Actor, *, category: str, department: str,
          area: str | None, deadlines: Deadlines, at: datetime) -> LedgerEvent:
    """A dispatcher sends a triaged request to a category's department (or an area's unit)."""
    check("route", actor, req)
    req.category, req.department = category, department
    if area is not None:
        req.area = area
    _set(req, deadlines)
    return move(req, "route", actor, Status.DISPATCHED, at, category=category,
                 department=department, area=req.area)


def accept(req: RequestState, actor: Actor, *, at: datetime,
           in_group: bool = False) -> LedgerEvent:
    """接单: the assignee takes the task (`in_group`: pressed on the department group's card)."""
    check("accept", actor, req)
    req.assignee_id, req.accepted_at = actor.id, at
    return move(req, "accept", actor, Status.IN_PROGRESS, at, context={"in_group": in_group})


def return_task(req: RequestState, actor: Actor, *, reason: str, at: datetime) -> LedgerEvent:
    """退单: a misrouted task goes back to the office for triage, with the reason."""
    check("return", actor, req)
    department = req.department or ""
    req.department, req.accept_due_at = None, None
    return move(req, "return", actor, Status.TRIAGE, at, department=department, reason=reason)


def resolve(req: RequestState, actor: Actor, *, answer: str, at: datetime,
            survey_later: bool = False, photos: tuple[str, ...] = ()) -> LedgerEvent:
    """办结: the holder answers the resident (with `photos`, Telegram file ids, when the
    answer came as a photo's caption); the survey (回访) comes with the answer, or later
    (`survey_later`: the category's survey_delay is not zero)."""
    check("resolve", actor, req)
    req.answer, req.resolved_at = answer, at
    detail: dict[str, Any] = {"answer": answer}
    if photos:
        detail["photos"] = list(photos)
    return move(req, "resolve", actor, Status.RESOLVED, at, context={"survey_later": survey_later},
                **detail)


def rate(req: RequestState, actor: Actor, *, rating: Rating, at: datetime) -> LedgerEvent:
    """满意 / 基本满意 closes the request; 不满意 is `reopen`, which needs a reason."""
    if rating == Rating.UNSATISFIED:
        raise NotAllowed("rate")
    check("rate", actor, req)
    req.rating, req.closed_at = rating, at
    return move(req, "rate", actor, Status.CLOSED, at, rating=rating)


def reopen(req: RequestState, actor: Actor, *, reason: str, max_reopens: int,
           deadlines: Deadlines, at: datetime, voice: str | None = None) -> LedgerEvent:
    """不满意打回重新办理: back to the same department with fresh deadlines (`voice`: the
    reason as a voice message's file id, kept in the ledger and sent after the card).

    A reopen beyond `max_reopens` raises the escalation level: the office must look at it.
    """
    check("reopen", actor, req)
    req.rating, req.assignee_id, req.accepted_at = Rating.UNSATISFIED, None, None
    req.reopen_count += 1
    escalated = req.reopen_count > max_reopens
    if escalated:
        req.escalation_level += 1
    _set(req, deadlines)
    extra = {"voice": voice} if voice else {}
    return move(req, "reopen", actor, Status.DISPATCHED, at, context={"escalated": escalated},
                reason=reason, reopen_count=req.reopen_count, **extra)


def withdraw(req: RequestState, actor: Actor, *, at: datetime) -> LedgerEvent:
    """The resident withdraws a request nobody has accepted yet."""
    check("withdraw", actor, req)
    req.closed_at, req.accept_due_at = at, None
    return move(req, "withdraw", actor, Status.WITHDRAWN, at)
