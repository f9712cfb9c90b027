"""Unit of work: one session and transaction; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

OUTBOX_QUEUED = "outbox_queued"   # session.info flag set by whoever adds outbox rows


class UnitOfWork:
    """`async with uow:` … `await uow.commit()`; repositories never commit."""

    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 on_outbox: Callable[[], None] | None = None) -> None:
        self._sessions = sessions
        self._on_outbox = on_outbox
        self._committed = False

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._committed = False
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self._committed:
            self.session.info.pop(OUTBOX_QUEUED, None)
            await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        queued = self.session.info.pop(OUTBOX_QUEUED, False)
        await self.session.commit()
        self._committed = True
        if queued and self._on_outbox is not None:
            self._on_outbox()  # wake the delivery loop now rather than at its next tick
