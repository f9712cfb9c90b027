"""Every update before its handler (noted, so that a redelivery is skipped), groups that
moved, and the bot added back to a group."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.services.reach import chat_migrated, chat_reached
from bot.services.updates import handling
from handlers.context import AppContext


async def skip_seen(update: object, context: AppContext) -> None:
    """Group -1: note the update being handled. Its id is recorded by the handler's first
    commit or before its first answer, whichever comes first; a redelivery raises
    UpdateSeen there (bot.services.updates), which the error handler drops silently."""
    if isinstance(update, Update):
        handling(update.update_id)


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
