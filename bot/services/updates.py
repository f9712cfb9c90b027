"""Incoming updates seen once, and replies Telegram could not take at the time.

Telegram delivers an update again when the bot did not confirm it (a restart between
fetching and confirming, a webhook answer that timed out). Each update id is recorded in
`processed_updates`, insert-or-skip, so a second delivery, to this instance or another one
on the same database, changes nothing and is answered nothing:

* `handling(update_id)` (before the handlers) notes the update this task is handling;
* the first commit of a `Services.uow()` while handling it records the id in that same
  transaction (`record_in`, no transaction of its own): if it was already recorded, the
  transaction is rolled back and `UpdateSeen` raised, so a redelivery writes nothing;
* a Bot API call made while handling it before any such commit (a button's alert, a
  read-only answer) records the id first, in its own transaction (`record_before_call`): a
  redelivery gets no second answer either. The readings most often answered (/start, /help,
  /my) commit their unit of work, which writes only that record: one transaction, not two.

Window: ids are kept PROCESSED_UPDATES_KEPT (two days; Telegram keeps an unconfirmed update
for 24 hours). An update whose handling failed before its first commit or answer (the
database down, a crash) is not recorded: redelivered, it is handled again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.notify.replies import Buttons, buttons_to_json
from bot.services.core import Services
from storage import queries
from storage.db import unavailable
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=2)


class UpdateSeen(Exception):
    """The update being handled was handled before (a redelivery): what this attempt wrote
    is rolled back and nothing is answered."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id} delivered again: skipped")
        self.update_id = update_id


@dataclass
class _Handling:
    update_id: int
    recorded: bool = False


# the update the current task is handling (PTB handles each update in a task of its own, all
# its handler groups and the error handler included), None outside an update
_handling: ContextVar[_Handling | None] = ContextVar("lianxin_update", default=None)


def handling(update_id: int) -> None:
    """Note that the current task handles Telegram update `update_id` (not recorded yet)."""
    _handling.set(_Handling(update_id))


def stop_recording() -> None:
    """The current update's handling failed: nothing more of it records its id (a
    redelivery is handled again)."""
    _handling.set(None)


async def record_in(svc: Services, uow: UnitOfWork) -> None:
    """Before `uow` commits: the update being handled, if not recorded yet, recorded in this
    transaction. Raises UpdateSeen if it already was (the caller's transaction is then not
    committed: `async with` rolls it back)."""
    current = _handling.get()
    if current is None or current.recorded:
        return
    if not await queries.mark_update_seen(uow.session, current.update_id, svc.now()):
        raise UpdateSeen(current.update_id)
    current.recorded = True   # a failing commit fails the update: nothing records it again


async def record_before_call(svc: Services) -> None:
    """Before a Bot API call: the update being handled, if not recorded yet, recorded in a
    transaction of its own. Raises UpdateSeen if it already was (the call is not made)."""
    current = _handling.get()
    if current is None or current.recorded:
        return
    async with svc.uow() as uow:   # its commit records the id (record_in)
        await uow.commit()


async def prune_seen_updates(svc: Services) -> int:
    """Forget update ids older than PROCESSED_UPDATES_KEPT; returns how many."""
    async with svc.uow() as uow:
        pruned = await queries.prune_updates(uow.session, svc.now() - PROCESSED_UPDATES_KEPT)
        await uow.commit()
    return pruned


QueuedReply = tuple[str, Buttons, Mapping[str, Any] | None]   # text, inline, reply keyboard


async def queue_replies(svc: Services, chat_id: int, replies: Sequence[QueuedReply]) -> None:
    """Direct replies that Telegram did not take (5xx, timeout, network): to the outbox for
    `chat_id`, after what is already queued there, delivered when Telegram answers again.
    Each is (HTML text, inline buttons, reply keyboard as Telegram's JSON or None): a
    reply keyboard (the location or contact keyboard of a report) comes with it."""
    async with svc.uow() as uow:
        for text, buttons, keyboard in replies:
            queries.add_outbox(uow.session, chat_id=chat_id, kind="reply", at=svc.now(),
                               text=text, buttons=buttons_to_json(buttons),
                               reply_markup=dict(keyboard) if keyboard else None)
        await uow.commit()
    log.warning("%s replies to %s queued until Telegram answers again", len(replies), chat_id)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` is the database being unreachable for now (see storage.db)."""
    return unavailable(exc)
