"""Delivers outbox rows: claims what is due, sends it, records how it went.

A claim is a lease (`claimed_until`), not a held lock, so sending never keeps a
transaction open and a crashed instance's rows are picked up again when it lapses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import queries
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 20
MAX_BACKOFF_S = 300.0


class Delivery(StrEnum):
    SENT = "sent"
    RETRY = "retry"               # network trouble, 5xx, 429: try again later
    UNDELIVERABLE = "undeliverable"   # 403: blocked, or never opened the chat
    REJECTED = "rejected"         # 400: a bug of ours; retrying cannot help


@dataclass(frozen=True)
class Result:
    delivery: Delivery
    retry_after: float | None = None
    error: str | None = None


class Sender(Protocol):
    async def send(self, row: OutboxMessage) -> Result: ...


def backoff(attempts: int) -> float:
    return min(2.0 ** attempts, MAX_BACKOFF_S)


class OutboxWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime],
                 sender: Sender, *, batch: int = 20) -> None:
        self._sessions = sessions
        self._clock = clock
        self._sender = sender
        self._batch = batch
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the row in hand, then leave `run` (cancelling mid-transaction is untidy)."""
        self._stopping = True
        self._wake.set()

    async def _claim(self) -> list[OutboxMessage]:
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            rows = list(await queries.claim_outbox(uow.session, now=now, lease_until=now + LEASE,
                                                   limit=self._batch))
            await uow.commit()
        return rows

    async def _record(self, row_id: int, result: Result | None) -> None:
        """Store the outcome; `None` releases the claim untouched (kept for order)."""
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            row = await queries.outbox_row(uow.session, row_id)
            if row is None:
                return
            row.claimed_until = None
            if result is not None:
                _apply(row, result, now)
                if row.status == "pending":
                    await queries.postpone_chat(uow.session, chat_id=row.chat_id,
                                                after_id=row.id, until=row.not_before)
            await uow.commit()

    async def deliver_due(self) -> int:
        """Send one batch of due rows, in order per chat; returns how many were claimed."""
        rows = await self._claim()
        held: set[int] = set()
        for row in rows:
            if row.chat_id in held or self._stopping:
                await self._record(row.id, None)   # an earlier row to this chat must go first
                continue
            result = await self._sender.send(row)
            if result.delivery == Delivery.RETRY:
                held.add(row.chat_id)
            await self._record(row.id, result)
        return len(rows)

    async def run(self, idle_seconds: float) -> None:
        """Deliver until stopped; sleep on the wake event when nothing is due."""
        while not self._stopping:
            try:
                claimed = await self.deliver_due()
            except Exception:
                log.exception("outbox delivery failed; retrying after %ss", idle_seconds)
                claimed = 0
            if claimed or self._stopping:
                continue
            self._wake.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)


def _apply(row: OutboxMessage, result: Result, now: datetime) -> None:
    row.attempts += 1
    row.last_error = result.error
    if result.delivery == Delivery.SENT:
        row.status, row.sent_at = "sent", now
    elif result.delivery == Delivery.RETRY and row.attempts < MAX_ATTEMPTS:
        wait = result.retry_after if result.retry_after is not None else backoff(row.attempts)
        row.not_before = now + timedelta(seconds=wait)
    elif result.delivery == Delivery.RETRY:
        row.status = "failed"
        log.error("outbox row %s to %s gave up after %s attempts: %s",
                  row.id, row.chat_id, row.attempts, result.error)
    else:
        row.status = result.delivery.value
        log.warning("outbox row %s to %s: %s (%s)", row.id, row.chat_id, row.status,
                    result.error)
