"""Telegram-facing handlers: parse the update, call the domain, render the answer."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import buttons, commands, desk, messages, updates
from handlers.common import on_error


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The wiring, read as a table: which update goes to which handler."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE   # edits: on_edit
    app.add_handler(TypeHandler(Update, updates.skip_seen), group=-1)   # redeliveries
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, updates.on_migrate))
    app.add_handler(ChatMemberHandler(updates.on_bot_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", commands.on_start, filters=private))
    app.add_handler(CommandHandler("help", commands.on_help, filters=private))
    app.add_handler(CommandHandler("new", commands.on_new, filters=private))
    app.add_handler(CommandHandler("proxy", commands.on_proxy, filters=private))
    app.add_handler(CommandHandler("my", commands.on_my, filters=private))
    app.add_handler(CommandHandler("cancel", commands.on_cancel, filters=private))
    app.add_handler(CommandHandler("privacy", commands.on_privacy, filters=private))
    app.add_handler(CommandHandler("delete_my_data", commands.on_delete_my_data,
                                   filters=private))
    app.add_handler(CommandHandler("tasks", desk.on_tasks, filters=private))
    app.add_handler(CommandHandler("triage", desk.on_triage, filters=private))
    app.add_handler(CommandHandler("overdue", desk.on_overdue, filters=private))
    app.add_handler(CommandHandler("find", desk.on_find, filters=private))
    app.add_handler(CommandHandler("stats", desk.on_stats, filters=private))
    app.add_handler(CallbackQueryHandler(buttons.on_button))
    app.add_handler(MessageHandler(private & ~filters.COMMAND, messages.on_message))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE,
                                   messages.on_edit))
    app.add_error_handler(on_error)
