"""When a request must be chased: the timers each state sets (reminders, escalations,
surveys, reviews), from the limits and the working-day calendar.

The practice: "原则上 7 个工作日内形成办理落实意见并向群众答复" (deadlines in working days),
"随时办结随时回访" (the survey), and a coordinating office that answers for every request
(督办 when a department is late). A state change replaces a request's timers; a sweep fires
each timer once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.calendar import WorkCalendar
from bot.domain.durations import Duration
from bot.domain.model import Status


class Chase(StrEnum):
    """What a timer does when it falls due (also the ledger event's kind)."""

    ACCEPT_REMIND = "accept_remind"        # the department: accept it
    ACCEPT_ESCALATE = "accept_escalate"    # 督办: the supervisor and the office
    ANSWER_REMIND = "answer_remind"        # the acceptor, remind_before the deadline
    ANSWER_ESCALATE = "answer_escalate"    # 督办 level 1 at the deadline: the supervisor
    OFFICE_ESCALATE = "office_escalate"    # 督办 level 2, escalate_after later: the office
    SURVEY_SEND = "survey_send"            # 回访 after survey_delay
    SURVEY_REMIND = "survey_remind"        # one reminder
    SURVEY_EXPIRE = "survey_expire"        # no answer: closed as 未评价
    RESTRICTED_REVIEW = "restricted_review"  # 疑难受限 back to the office, periodically


ESCALATION_LEVEL = {Chase.ACCEPT_ESCALATE: 1, Chase.ANSWER_ESCALATE: 1,
                    Chase.OFFICE_ESCALATE: 2}


class Limits(Protocol):
    accept: Duration
    remind_before: Duration
    escalate_after: Duration
    survey_delay: Duration
    survey_remind: Duration
    survey_expires: Duration
    restricted_review: Duration


class Timed(Protocol):
    status: str
    accept_due_at: datetime | None
    answer_due_at: datetime | None


Timer = tuple[Chase, datetime]


def survey_timers(calendar: WorkCalendar, limits: Limits, sent_at: datetime) -> list[Timer]:
    """Once the survey is out: one reminder, then expiry."""
    return [(Chase.SURVEY_REMIND, calendar.deadline(sent_at, limits.survey_remind)),
            (Chase.SURVEY_EXPIRE, calendar.deadline(sent_at, limits.survey_expires))]


def timers_for(req: Timed, limits: Limits, calendar: WorkCalendar, *,
               at: datetime) -> list[Timer]:
    """The timers of a request that has just entered its current state at `at` (aware).

    Dispatched: remind at the accept deadline, escalate one accept period later.
    In progress: remind `remind_before` the answer deadline (unless that is past), escalate
    to the supervisor at the deadline and to the office `escalate_after` later.
    Resolved: the survey after `survey_delay` (or, sent with the answer, its reminder and
    expiry). Restricted: a review after `restricted_review`. Otherwise none.
    """
    status = Status(req.status)
    if status == Status.DISPATCHED and req.accept_due_at is not None:
        return [(Chase.ACCEPT_REMIND, req.accept_due_at),
                (Chase.ACCEPT_ESCALATE, calendar.deadline(req.accept_due_at, limits.accept))]
    if status == Status.IN_PROGRESS and req.answer_due_at is not None:
        remind = calendar.deadline_before(req.answer_due_at, limits.remind_before)
        escalations = [(Chase.ANSWER_ESCALATE, req.answer_due_at),
                       (Chase.OFFICE_ESCALATE,
                        calendar.deadline(req.answer_due_at, limits.escalate_after))]
        return [(Chase.ANSWER_REMIND, remind), *escalations] if remind > at else escalations
    if status == Status.RESOLVED:
        if limits.survey_delay.amount:
            return [(Chase.SURVEY_SEND, calendar.deadline(at, limits.survey_delay))]
        return survey_timers(calendar, limits, at)
    if status == Status.RESTRICTED:
        return [(Chase.RESTRICTED_REVIEW, calendar.deadline(at, limits.restricted_review))]
    return []


def timers_after_chase(kind: Chase, limits: Limits, calendar: WorkCalendar, *,
                       at: datetime) -> list[Timer]:
    """What a fired timer sets next: the survey's reminder and expiry once it is sent, the
    next review of a restricted request."""
    if kind == Chase.SURVEY_SEND:
        return survey_timers(calendar, limits, at)
    if kind == Chase.RESTRICTED_REVIEW:
        return [(Chase.RESTRICTED_REVIEW, calendar.deadline(at, limits.restricted_review))]
    return []
