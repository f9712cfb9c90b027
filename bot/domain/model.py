"""Request states, roles and the plain views use cases return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    TRIAGE = "triage"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    RESTRICTED = "restricted"


class Role(StrEnum):
    RESIDENT = "resident"
    ASSIGNEE = "assignee"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"



@dataclass(frozen=True)
class RequestView:
    """What a handler needs to render a request; never an ORM row."""

    number: str
    status: Status
    description: str
    address: str | None
    category: str | None
    department: str | None
    urgent: bool
    traditional: bool
    created_at: datetime
    answer: str | None = None
    matched_words: tuple[str, ...] = ()
    answer_due_at: datetime | None = None
