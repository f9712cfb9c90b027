"""Plain, read-only views of a request: what use cases return and what cards render.

Never an ORM row: a view is a snapshot taken inside the unit of work, safe to use after
it has closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.model import Status


@dataclass(frozen=True)
class RequestView:
    """A request as staff and residents see it. Times are timezone-aware UTC."""

    number: str
    status: Status
    resident_id: int
    description: str
    created_at: datetime
    resident_name: str | None = None
    phone: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    category: str | None = None
    department: str | None = None
    area: str | None = None
    urgent: bool = False
    traditional: bool = False
    answer: str | None = None
    reopen_count: int = 0
    escalation_level: int = 0
    assignee_id: int | None = None
    accept_due_at: datetime | None = None
    answer_due_at: datetime | None = None
    routing: dict[str, Any] = field(default_factory=dict)
    co_departments: tuple[str, ...] = ()
    extension: dict[str, Any] | None = None
    flag: str | None = None   # filed while its resident was blocked: the reason
    proxy: bool = False       # filed by a grid worker (resident_id) for the named resident
    joined: int = 0   # residents who joined it (+1): 1 + joined are affected

    @property
    def matched_words(self) -> tuple[str, ...]:
        return tuple(self.routing.get("matched", []))


@dataclass(frozen=True)
class Media:
    """What a resident attached: photo file ids, in order, and a voice message."""

    photos: tuple[str, ...] = ()
    voice: str | None = None
    more_voices: tuple[str, ...] = ()   # further voices (an address said by voice)


@dataclass(frozen=True)
class Page:
    """One page of a list of requests (`page` 0-based, of `pages`)."""

    kind: str
    items: tuple[RequestView, ...]
    page: int
    pages: int
    total: int
    first: int = 1   # the list position of the first item (1-based)
    followed: frozenset[str] = frozenset()   # numbers the reader joined (+1), not theirs
    traditional: bool = False   # the reader reads Traditional Chinese


@dataclass(frozen=True)
class HistoryItem:
    """One ledger row in plain terms (times aware UTC)."""

    at: datetime
    kind: str
    actor_role: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Card:
    """A request as `actor` sees it: the actions the rules allow them now, whether the
    contact shows in full (only to whoever accepted it), and, for the office, its history."""

    request: RequestView
    actions: frozenset[str]
    reveal: bool
    history: tuple[HistoryItem, ...] = ()
    followed: bool = False   # a resident who joined it (+1), not its reporter
    acceptor: str | None = None   # the name of whoever accepted it, while it is worked
