"""Who may do what from which state: the rules table every transition checks.

The practice it serves: staff roles are never self-declared and every press is checked
against the request as it is now, so a forged or stale button changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.errors import DomainError, NotAllowed, SurveyClosed, WrongState
from bot.domain.model import Role, Status


@dataclass(frozen=True)
class Actor:
    """Someone acting on a request: a resident, a staff member, or the system (id None)."""

    id: int
    role: Role
    department: str | None
    name: str


class Guarded(Protocol):
    """What the rules read of a request."""

    status: str
    department: str | None
    assignee_id: int | None
    resident_id: int
    rating: str | None
    co_departments: list[str] | None


def _office(actor: Actor, req: Guarded) -> bool:
    return actor.role in (Role.DISPATCHER, Role.ADMIN)


def _staff(actor: Actor) -> bool:
    return actor.role in (Role.ASSIGNEE, Role.SUPERVISOR)


def _handler(actor: Actor, req: Guarded) -> bool:
    return _staff(actor) and actor.department == req.department


def _holder(actor: Actor, req: Guarded) -> bool:
    """Whoever accepted the task answers it (or the department's supervisor, covering)."""
    return _handler(actor, req) and (actor.id == req.assignee_id
                                     or actor.role == Role.SUPERVISOR)


def _co_handler(actor: Actor, req: Guarded) -> bool:
    """Staff of a co-handling department (协办), who post their part to the lead."""
    return _staff(actor) and actor.department in (req.co_departments or ())


def _owner(actor: Actor, req: Guarded) -> bool:
    return actor.id == req.resident_id


def _neighbour(actor: Actor, req: Guarded) -> bool:
    """Another resident with the same problem (+1): never the one who reported it."""
    return actor.role == Role.RESIDENT and actor.id != req.resident_id


OPEN = frozenset({Status.TRIAGE, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESTRICTED})

RULES: dict[str, tuple[Callable[[Actor, Guarded], bool], frozenset[Status]]] = {
    "route": (_office, frozenset({Status.TRIAGE})),
    "accept": (_handler, frozenset({Status.DISPATCHED})),
    "return": (_handler, frozenset({Status.DISPATCHED})),
    "resolve": (_holder, frozenset({Status.IN_PROGRESS})),
    "rate": (_owner, frozenset({Status.RESOLVED})),
    "reopen": (_owner, frozenset({Status.RESOLVED})),
    "withdraw": (_owner, frozenset({Status.TRIAGE, Status.DISPATCHED})),
    "spot_check": (_owner, frozenset({Status.CLOSED})),   # 抽访: a closed request's resident
    "progress": (_holder, frozenset({Status.IN_PROGRESS})),
    "extend": (_holder, frozenset({Status.IN_PROGRESS})),
    "decide_extension": (_office, frozenset({Status.IN_PROGRESS})),
    "restrict": (_holder, frozenset({Status.IN_PROGRESS})),
    "resume": (_office, frozenset({Status.RESTRICTED})),
    "close_restricted": (_office, frozenset({Status.RESTRICTED})),
    "co_note": (_co_handler, frozenset({Status.DISPATCHED, Status.IN_PROGRESS})),
    "add_co_handler": (_office, frozenset({Status.DISPATCHED, Status.IN_PROGRESS})),
    # residents' self-service (bot/domain/residents.py)
    "add_info": (_owner, frozenset({Status.TRIAGE, Status.DISPATCHED, Status.IN_PROGRESS,
                                    Status.RESTRICTED, Status.RESOLVED})),
    "urge": (_owner, frozenset({Status.TRIAGE, Status.DISPATCHED, Status.IN_PROGRESS})),
    "erase": (_owner, frozenset(Status)),   # /delete_my_data, whatever the state
    "join": (_neighbour, OPEN),   # +1: the same problem, reported by another resident
}


def files_for_others(actor: Actor) -> bool:
    """Who may file a report on a resident's behalf (代报, by the resident's phone number):
    grid workers (网格员), who then carry every answer back to the resident."""
    return actor.role == Role.GRID


def check(action: str, actor: Actor, req: Guarded) -> None:
    """Return if `actor` may do `action` (a key of RULES) to `req` in its current state.

    Raises NotAllowed for a trespass, WrongState for a request that moved on (a stale
    card: staff of the department pressing a button whose moment has passed).
    """
    may, states = RULES[action]
    if not may(actor, req):
        if _staff(actor) and may in (_handler, _holder, _co_handler) \
                and req.status not in states:
            raise WrongState(req.status)
        raise NotAllowed(action)
    if req.status not in states:
        if action in ("rate", "reopen") and req.status == Status.CLOSED and req.rating is None:
            raise SurveyClosed(req.status)   # expired unanswered: the buttons say so
        raise WrongState(req.status)


def allowed_actions(actor: Actor, req: Guarded,
                    actions: Iterable[str] = RULES) -> frozenset[str]:
    """The actions (keys of RULES) `actor` may do to `req` now: the buttons a card shows."""
    allowed = set()
    for action in actions:
        try:
            check(action, actor, req)
        except DomainError:
            continue
        allowed.add(action)
    return frozenset(allowed)


def group_viewer(department: str, req: Guarded) -> Actor:
    """A department's group chat as the one who reads a card there: the department's holder
    of the task (whoever accepted it, else any of its assignees). A card in the group offers
    the buttons that holder may press; every press is checked again for who pressed it."""
    return Actor(req.assignee_id or 0, Role.ASSIGNEE, department, "")
