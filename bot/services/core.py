"""What every use case needs, built once by `bot.app` (or a test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Config
from bot.domain.calendar import WorkCalendar
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.routing import Router


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    config: Config
    calendar: WorkCalendar
    router: Router
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime] = utc_now
    wake_outbox: Callable[[], None] | None = field(default=None)
    model_id: int | None = None   # the stored routing model the router uses

    def uow(self) -> UnitOfWork:
        """A unit of work whose recorded events become outbox rows at commit (the policy);
        its first commit while an update is handled records the update (bot.services.updates:
        a redelivery raises UpdateSeen there and nothing is committed)."""
        from bot.services.publish import publish
        from bot.services.updates import record_in

        async def before_commit(uow: UnitOfWork) -> None:
            await record_in(self, uow)   # the update being handled, in this transaction
            if uow.pending:
                await publish(self, uow)

        return UnitOfWork(self.sessions, before_commit=before_commit,
                          on_outbox=self.wake_outbox)

    def now(self) -> datetime:
        """The current time, timezone-aware UTC (the test clock in tests)."""
        return self.clock()
