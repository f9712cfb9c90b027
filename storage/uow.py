"""Unit of work: one session and transaction; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

OUTBOX_QUEUED = "outbox_queued"   # session.info flag set by whoever adds outbox rows


class UnitOfWork:
    """`async with uow:` … `await uow.commit()`; repositories never commit.

    `pending` collects what the unit recorded (the service layer's ledger events);
    `before_commit` turns it into more rows of the same transaction (the outbox), and
    `on_outbox` is told after a commit that queued outbox rows.
    """

    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *,
                 before_commit: Callable[[UnitOfWork], Awaitable[None]] | None = None,
                 on_outbox: Callable[[], None] | None = None) -> None:
        self._sessions = sessions
        self._before_commit = before_commit
        self._on_outbox = on_outbox
        self._committed = False
        self.pending: list[Any] = []
        # messages (chat id, message id) the caller updates itself: the pressed card
        self.shown: set[tuple[int, int]] = set()

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._committed = False
        self.pending = []
        self.shown = set()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self._committed:
            await self.rollback()
        await self.session.close()

    async def rollback(self) -> None:
        """Drop everything since the last commit, recorded events included."""
        self.session.info.pop(OUTBOX_QUEUED, None)
        self.pending = []
        await self.session.rollback()

    async def commit(self) -> None:
        if self._before_commit is not None:
            await self._before_commit(self)
        self.pending = []
        queued = self.session.info.pop(OUTBOX_QUEUED, False)
        await self.session.commit()
        self._committed = True
        if queued and self._on_outbox is not None:
            self._on_outbox()  # wake the delivery loop now rather than at its next tick
