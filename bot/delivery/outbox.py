"""Delivers outbox rows: claims what is due, sends it, records how it went.

A claim is a lease (`claimed_until`), not a held lock, so sending never keeps a
transaction open and a crashed instance's rows are picked up again when it lapses. Each
claim carries a random token: the lease is renewed while the batch is being sent, and a
result is recorded only if the row is still held under that token (a lapsed claim that
another instance took over is left to it). A claim takes whole chats (see
`storage.queries.claim_outbox`): one chat's rows go to one instance at a time, in order.

Crash safety: a row is marked sent only after Telegram confirmed its last call; killed
between the send and the mark, the row is sent again once the lease lapses (at least once,
never lost). A row of several calls (album, voice, location, text) records how many were
confirmed (`parts_sent`), and a retry resumes after them.

Telegram's answers the worker acts on:
* 5xx, timeouts, dropped connections (an outage): retried soon at first, then at most every
  OUTAGE_MAX_BACKOFF_S, and never given up (Telegram being down is no fault of the row).
  While the outage lasts, the oldest row it holds is tried every OUTAGE_PROBE_S; the first
  success brings every row the outage put off forward, so what queued up arrives as soon as
  Telegram is back.
* 403 (blocked, never opened the chat, removed from the group) and 400 "chat not found" (a
  deleted group): the row is undeliverable, and `on_undeliverable(row)` is told. A row sent
  marks its chat reachable again (`unreachable_chats`), in the same transaction.
* 400 with migrate_to_chat_id (a group upgraded to a supergroup): the chat's pending rows
  move to the new id, the row is sent there without spending an attempt, and
  `on_migrated(old, new)` is told.

Cards (rows with `keep_copy`) are recorded once sent (`card_messages`), and an edit row
(`edit_message_id`) brings such a copy to the request's current state. Telegram's "message
is not modified" is an edit done; a message it will not edit (deleted, too old, the chat
gone) ends the row as GONE and forgets the copy: never retried.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import queries
from storage.db import unavailable
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
RENEW_EVERY_S = 20.0   # well inside LEASE: a slow batch keeps its claim
MAX_ATTEMPTS = 20
MAX_BACKOFF_S = 300.0
OUTAGE_FIRST_BACKOFF_S = 0.25   # a blip passes quickly; a long outage is probed
OUTAGE_MAX_BACKOFF_S = 30.0     # at most this long between tries, and the first success
OUTAGE_MARK = "outage: "        # brings the rest forward (last_error's prefix)
OUTAGE_PROBE_S = 2.0            # during an outage, one row is tried this often


class Delivery(StrEnum):
    SENT = "sent"
    RETRY = "retry"               # network trouble, 5xx, 429: try again later
    UNDELIVERABLE = "undeliverable"   # 403: blocked, or never opened the chat
    REJECTED = "rejected"         # 400: a bug of ours; retrying cannot help
    LATER = "later"               # our own pacing: the chat's budget is spent; not an attempt
    MIGRATED = "migrated"         # the group became a supergroup: send to `new_chat_id`
    GONE = "gone"                 # an edit of a message that can no longer be edited


@dataclass(frozen=True)
class Result:
    delivery: Delivery
    retry_after: float | None = None
    error: str | None = None
    parts_sent: int | None = None   # the row's calls Telegram confirmed so far, if it counts
    new_chat_id: int | None = None  # MIGRATED: the supergroup's id
    outage: bool = False            # RETRY for a 5xx, a timeout or a network error
    message_id: int | None = None   # SENT: the id of the row's last message (a card's)


Confirmed = Callable[[int], Awaitable[bool]]
OnUndeliverable = Callable[[OutboxMessage], Awaitable[None]]
OnMigrated = Callable[[int, int], Awaitable[None]]
OnCardSent = Callable[[OutboxMessage, int], Awaitable[None]]


class Sender(Protocol):
    async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
        """Send `row`; for a row of several calls, await `confirmed(n)` once Telegram confirmed
        its first n calls (False: the claim was lost, stop). The result's `parts_sent` counts
        all calls confirmed so far."""
        ...


def backoff(attempts: int, *, outage: bool = False) -> float:
    """Seconds before the next try after `attempts` failed ones."""
    if outage:
        return min(OUTAGE_FIRST_BACKOFF_S * 2.0 ** (attempts - 1), OUTAGE_MAX_BACKOFF_S)
    return min(2.0 ** attempts, MAX_BACKOFF_S)


class OutboxWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime],
                 sender: Sender, *, batch: int = 20,
                 on_undeliverable: OnUndeliverable | None = None,
                 on_migrated: OnMigrated | None = None,
                 on_card_sent: OnCardSent | None = None) -> None:
        """`on_undeliverable(row)`, `on_migrated(old_chat, new_chat)` and
        `on_card_sent(row, message_id)` are awaited after the outcome is stored (the office
        is told, the department's chat updated, a card whose request moved while it was on
        its way edited); what they raise is logged, never stops delivery."""
        self._sessions = sessions
        self._on_undeliverable = on_undeliverable
        self._on_migrated = on_migrated
        self._on_card_sent = on_card_sent
        self._outage = False   # a 5xx or network error since the last success
        self._next_probe = 0.0   # loop time of the next outage probe
        self._clock = clock
        self._sender = sender
        self._batch = batch
        self._wake = asyncio.Event()
        self._stopping = False
        self.rate_limited = 0   # 429s Telegram answered this worker (the target is none)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the row in hand, then leave `run` (cancelling mid-transaction is untidy)."""
        self._stopping = True
        self._wake.set()

    async def _claim(self, token: str) -> list[OutboxMessage]:
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            rows = list(await queries.claim_outbox(uow.session, now=now, lease_until=now + LEASE,
                                                   limit=self._batch, token=token))
            await uow.commit()
        return rows

    async def _renew(self, token: str) -> None:
        """Every RENEW_EVERY_S seconds, extend the lease of what `token` still holds."""
        while True:
            await asyncio.sleep(RENEW_EVERY_S)
            try:
                async with UnitOfWork(self._sessions) as uow:
                    await queries.renew_claim(uow.session, token=token,
                                              lease_until=self._clock() + LEASE)
                    await uow.commit()
            except Exception as exc:
                _log_failure(exc, f"could not renew the outbox lease of claim {token}")

    async def _confirm(self, row_id: int, token: str, parts: int) -> bool:
        """Store that `parts` of the row's calls went out, before the next one is made: killed
        now, the row resumes after them. False if `token` no longer holds the row."""
        async with UnitOfWork(self._sessions) as uow:
            held = await queries.record_parts(uow.session, row_id=row_id, token=token,
                                              parts=parts)
            await uow.commit()
        if not held:
            log.warning("outbox row %s: claim %s lapsed mid-row, after %s parts",
                        row_id, token, parts)
        return held

    async def _record(self, row_id: int, token: str, result: Result | None) -> bool:
        """Store the outcome if `token` still holds the row; `None` releases it untouched.
        False if the claim was lost (its lease lapsed and another claim took the row)."""
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            row = await queries.outbox_row(uow.session, row_id)
            if row is None:
                return True
            if row.claim_token != token:
                log.warning("outbox row %s: claim %s lapsed (now %s); result %s not recorded",
                            row_id, token, row.claim_token, result and result.delivery)
                return False
            row.claimed_until, row.claim_token = None, None
            if result is not None and result.delivery == Delivery.MIGRATED:
                await _move_chat(uow.session, row, result)
            elif result is not None:
                _apply(row, result, now)
                await _keep_copy(uow.session, row, result, now)
                if row.status == "sent":   # reached: a later loss is told to the office again
                    await queries.mark_reachable(uow.session, row.chat_id)
                if row.status == "pending":
                    await queries.postpone_chat(uow.session, chat_id=row.chat_id,
                                                after_id=row.id, until=row.not_before)
            await uow.commit()
        return True

    async def deliver_due(self) -> int:
        """Send one batch of due rows, in order per chat; returns how many were claimed."""
        token = secrets.token_hex(16)
        rows = await self._claim(token)
        if not rows:
            return 0
        renewing = asyncio.create_task(self._renew(token))
        try:
            await self._send(rows, token)
        finally:
            renewing.cancel()
            with suppress(asyncio.CancelledError):
                await renewing
        return len(rows)

    async def _send(self, rows: list[OutboxMessage], token: str) -> None:
        """Send a claimed batch; stop at once if the claim turns out lost (the rows share one
        lease: another instance has them all now)."""
        held: set[int] = set()
        moved: set[int] = set()   # chats whose rows `_move_chat` released to a new id
        for row in rows:
            if row.chat_id in moved:
                continue
            if row.chat_id in held or self._stopping:
                if not await self._record(row.id, token, None):   # an earlier row goes first
                    return
                continue
            result = await self._sender.send(row, partial(self._confirm, row.id, token))
            if result.delivery in (Delivery.RETRY, Delivery.LATER):
                held.add(row.chat_id)
            if result.delivery == Delivery.RETRY and result.retry_after is not None:
                self.rate_limited += 1
                log.warning("429 for outbox row %s to %s: put off %ss (%s so far)",
                            row.id, row.chat_id, result.retry_after, self.rate_limited)
            if not await self._record(row.id, token, result):
                return
            if result.delivery == Delivery.MIGRATED:
                moved.add(row.chat_id)
            await self._after(row, result)

    async def _after(self, row: OutboxMessage, result: Result) -> None:
        """Tell the hooks; after an outage's first success, bring its rows forward."""
        try:
            if result.delivery == Delivery.RETRY and result.outage:
                self._outage = True
            elif result.delivery == Delivery.SENT and self._outage:
                self._outage = False
                await self._resume_after_outage()
            elif result.delivery == Delivery.UNDELIVERABLE and self._on_undeliverable:
                row.status, row.last_error = "undeliverable", result.error
                await self._on_undeliverable(row)
            elif result.delivery == Delivery.MIGRATED and self._on_migrated:
                assert result.new_chat_id is not None
                await self._on_migrated(row.chat_id, result.new_chat_id)
            if self._on_card_sent and _card_went_out(row, result):
                assert result.message_id is not None
                await self._on_card_sent(row, result.message_id)
        except Exception as exc:
            _log_failure(exc, f"after outbox row {row.id} ({result.delivery})")

    async def _probe(self) -> None:
        """During an outage, make the oldest row it holds due now (one try per probe)."""
        loop = asyncio.get_running_loop()
        if not self._outage or loop.time() < self._next_probe:
            return
        self._next_probe = loop.time() + OUTAGE_PROBE_S
        async with UnitOfWork(self._sessions) as uow:
            await queries.resume_after_outage(uow.session, mark=OUTAGE_MARK, now=self._clock(),
                                              chats=1)
            await uow.commit()

    async def _resume_after_outage(self) -> None:
        async with UnitOfWork(self._sessions) as uow:
            count = await queries.resume_after_outage(uow.session, mark=OUTAGE_MARK,
                                                      now=self._clock())
            await uow.commit()
        if count:
            log.info("Telegram answers again: %s queued rows brought forward", count)
            self.wake()

    async def run(self, idle_seconds: float) -> None:
        """Deliver until stopped; sleep on the wake event when nothing is due."""
        while not self._stopping:
            try:
                await self._probe()
                claimed = await self.deliver_due()
            except Exception as exc:
                _log_failure(exc, f"outbox delivery failed; retrying after {idle_seconds}s")
                claimed = 0
            if claimed or self._stopping:
                continue
            self._wake.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)


def _apply(row: OutboxMessage, result: Result, now: datetime) -> None:
    if result.parts_sent is not None:
        row.parts_sent = result.parts_sent
    if result.delivery == Delivery.LATER:   # paced, not failed: no attempt spent
        row.not_before = now + timedelta(seconds=result.retry_after or 0.0)
        return
    row.attempts += 1
    row.last_error = f"{OUTAGE_MARK}{result.error}" if result.outage else result.error
    if result.delivery == Delivery.SENT:
        row.status, row.sent_at = "sent", now
    elif result.delivery == Delivery.RETRY and (result.outage or row.attempts < MAX_ATTEMPTS):
        wait = (result.retry_after if result.retry_after is not None
                else backoff(row.attempts, outage=result.outage))
        row.not_before = now + timedelta(seconds=wait)
    elif result.delivery == Delivery.RETRY:
        row.status = "failed"
        log.error("outbox row %s to %s gave up after %s attempts: %s",
                  row.id, row.chat_id, row.attempts, result.error)
    else:
        row.status = result.delivery.value
        log.warning("outbox row %s to %s: %s (%s)", row.id, row.chat_id, row.status,
                    result.error)


def _card_went_out(row: OutboxMessage, result: Result) -> bool:
    """A card of a request was sent as a new message (not an edit): a copy to keep."""
    return (result.delivery == Delivery.SENT and row.keep_copy and row.request_id is not None
            and result.message_id is not None and row.edit_message_id is None)


async def _keep_copy(session: AsyncSession, row: OutboxMessage, result: Result,
                     now: datetime) -> None:
    """A card sent: its message is recorded as a copy to edit later. An edit of a message
    that can no longer be edited: the copy is forgotten (it is never tried again)."""
    if _card_went_out(row, result):
        assert row.request_id is not None and result.message_id is not None
        queries.add_card_copy(session, request_id=row.request_id, chat_id=row.chat_id,
                              message_id=result.message_id, kind=row.kind, now=now,
                              shown=queries.card_digest(row.text, row.buttons))
    elif result.delivery == Delivery.GONE and row.edit_message_id is not None:
        await queries.drop_card_copy(session, chat_id=row.chat_id,
                                     message_id=row.edit_message_id)


async def _move_chat(session: AsyncSession, row: OutboxMessage, result: Result) -> None:
    """The group became a supergroup: its pending rows (this one first) go to the new id,
    released, no attempt spent."""
    assert result.new_chat_id is not None
    if result.parts_sent is not None:
        row.parts_sent = result.parts_sent
    row.last_error = result.error
    await session.flush()
    moved = await queries.retarget_outbox(session, old_chat=row.chat_id,
                                          new_chat=result.new_chat_id)
    log.warning("chat %s became %s: %s pending rows follow", row.chat_id, result.new_chat_id,
                moved)


def _log_failure(exc: Exception, what: str) -> None:
    """A database that is down for now: one line; anything else: the traceback."""
    if unavailable(exc):
        log.warning("%s: database unavailable (%s)", what, exc)
    else:
        log.error("%s", what, exc_info=exc)
