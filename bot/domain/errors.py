"""Typed domain errors; handlers turn them into user text."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action; never a bug."""


class UnknownRequest(DomainError):
    def __init__(self, number: str) -> None:
        super().__init__(f"no request {number!r}")
        self.number = number


class NotAllowed(DomainError):
    """The actor may not do this to this request."""


class WrongState(DomainError):
    """The request is no longer in a state that allows this (a stale button, a race)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"request is {status}")
        self.status = status


class AlreadyTaken(WrongState):
    """Someone else accepted the task first."""

    def __init__(self, status: str, by: str) -> None:
        super().__init__(status)
        self.by = by


class SurveyClosed(WrongState):
    """The survey (回访) expired unanswered: the request closed as 未评价."""


class TooSoon(DomainError):
    """Allowed again only later (催办: once a day); `again` is when (aware UTC)."""

    def __init__(self, again: object) -> None:
        super().__init__(f"again at {again}")
        self.again = again
