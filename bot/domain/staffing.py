"""Staff management in the domain: who may be made staff, invite codes, and what happens to
a departing member's tasks.

The practice served: staff roles are never self-declared (the config, the admin's CLI or a
one-time invite the admin printed), and a task never stays with someone who has left:
it goes back to the department, or to the office when the department has nobody left.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import DomainError, WrongState
from bot.domain.model import Role, Status
from bot.domain.transitions import SYSTEM, LedgerEvent, RequestState, move

INVITE_LIFETIME = timedelta(hours=72)
INVITE_BYTES = 12   # 16 URL-safe characters: fits a t.me/<bot>?start=<code> deep link
STAFF_ROLES = (Role.ASSIGNEE, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN,
               Role.GRID)   # 网格员: files for residents (代报), may belong to a unit
DEPARTMENT_ROLES = (Role.ASSIGNEE, Role.SUPERVISOR)


class Source(StrEnum):
    """Where a staff member's role comes from."""

    CONFIG = "config"   # the config file, mirrored into the staff table at every start
    CLI = "cli"         # `lianxin staff add`
    INVITE = "invite"   # a redeemed one-time invite code


class StaffError(DomainError):
    """A staff change the admin must correct; the message says what."""


def check_staff_role(role: str, department: str | None, departments: Collection[str]) -> Role:
    """The role, once `role` and `department` make a valid member.

    Raises StaffError for an unknown role, a department not in `departments` (the config's
    codes), or an assignee or supervisor without a department.
    """
    if role not in STAFF_ROLES:
        raise StaffError(f"unknown role {role!r} (one of {', '.join(STAFF_ROLES)})")
    if department is not None and department not in departments:
        raise StaffError(f"unknown department {department!r} (see departments in the config)")
    if role in DEPARTMENT_ROLES and department is None:
        raise StaffError(f"an {role} needs --department")
    return Role(role)


def new_invite_code() -> str:
    """A random code of [A-Za-z0-9_-], short enough for a /start deep link."""
    return secrets.token_urlsafe(INVITE_BYTES)


def hash_code(code: str) -> str:
    """What is stored of a code (hex SHA-256): a leaked table reveals no usable code."""
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def invite_usable(*, expires_at: datetime, used_at: datetime | None, at: datetime) -> bool:
    """A code works once, before it expires."""
    return used_at is None and at < expires_at


def release(req: RequestState, *, former: int, department_staffed: bool,
            accept_due: datetime | None, reason: str, at: datetime) -> LedgerEvent:
    """A removed member's task (in progress, held by `former`) goes back: to its department
    with a fresh accept deadline `accept_due`, or to triage when the department has no
    active assignee left (`department_staffed` False). Recorded by the system.

    Raises WrongState for a task not in progress with `former`.
    """
    if req.status != Status.IN_PROGRESS or req.assignee_id != former:
        raise WrongState(req.status)
    department = req.department or ""
    req.assignee_id, req.accepted_at = None, None
    if department_staffed:
        req.accept_due_at = accept_due
        to = Status.DISPATCHED
    else:
        req.department, req.accept_due_at = None, None
        to = Status.TRIAGE
    return move(req, "release", SYSTEM, to, at, former=former, department=department,
                reason=reason)
