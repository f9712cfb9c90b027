"""Incoming updates seen once, and replies Telegram could not take at the time.

Telegram delivers an update again when the bot did not confirm it (a restart between
fetching and confirming, a webhook answer that timed out). `first_delivery` records each
update id in `processed_updates` before the update is handled, insert-or-skip, so a second
delivery, to this instance or another one on the same database, is skipped.

Window: ids are kept PROCESSED_UPDATES_KEPT (two days; Telegram keeps an unconfirmed update
for 24 hours). The id is recorded before the work, in its own transaction: an update whose
handling failed after that (a crash mid-update) is not handled again when redelivered; its
sender was told "请稍后再试" by the error handler, or got nothing if the process died.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.notify.replies import Buttons, buttons_to_json
from bot.services.core import Services
from storage import queries
from storage.db import unavailable

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=2)


async def first_delivery(svc: Services, update_id: int) -> bool:
    """True the first time `update_id` is seen (it is recorded); False for a redelivery."""
    async with svc.uow() as uow:
        first = await queries.mark_update_seen(uow.session, update_id, svc.now())
        await uow.commit()
    if not first:
        log.info("update %s delivered again: skipped", update_id)
    return first


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
