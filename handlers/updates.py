"""Every update before its handler (redeliveries skipped), groups that moved, and the bot
added back to a group."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import ApplicationHandlerStop

from bot.services.reach import chat_migrated, chat_reached
from bot.services.updates import database_unavailable, first_delivery
from handlers.common import apologise
from handlers.context import AppContext

log = logging.getLogger(__name__)


async def skip_seen(update: object, context: AppContext) -> None:
    """Group -1: an update Telegram delivers a second time goes no further. If the database
    cannot say (it is down), the sender is told to try again and the update goes no
    further either."""
    if not isinstance(update, Update):
        return
    try:
        first = await first_delivery(context.svc, update.update_id)
    except Exception as exc:
        if database_unavailable(exc):
            log.warning("database unavailable (%s); update %s: the sender is asked to retry",
                        exc, update.update_id)
        else:
            log.exception("could not record update %s; the sender is asked to retry",
                          update.update_id)
        try:
            await apologise(update, context)
        except Exception:
            log.exception("could not ask the sender of update %s to retry", update.update_id)
        raise ApplicationHandlerStop from None
    if not first:
        raise ApplicationHandlerStop


async def on_migrate(update: Update, context: AppContext) -> None:
    """A group upgraded to a supergroup (service message in the old or the new group)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if message.migrate_to_chat_id:
        await chat_migrated(context.svc, chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await chat_migrated(context.svc, message.migrate_from_chat_id, chat.id)


BOT_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def on_bot_member(update: Update, context: AppContext) -> None:
    """The bot's own membership changed (my_chat_member): added back to a group it was
    removed from, the group can be reached again (a later removal is told again)."""
    change = update.my_chat_member
    assert change is not None
    if change.new_chat_member.status in BOT_PRESENT:
        await chat_reached(context.svc, change.chat.id)
