"""Request states, roles and ratings."""

from __future__ import annotations

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
    GRID = "grid"       # 网格员: files reports on behalf of residents (by phone number)
    SYSTEM = "system"   # the scheduled sweeps


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"
