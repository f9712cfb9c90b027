"""Showing replies, turning domain errors into polite words, and the last-resort error handler."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.domain.errors import (
    AlreadyTaken,
    DomainError,
    NotAllowed,
    SurveyClosed,
    TooSoon,
    UnknownRequest,
    WrongState,
)
from bot.notify import texts
from bot.notify.replies import Reply
from handlers.context import AppContext
from handlers.keyboards import markup

log = logging.getLogger(__name__)


def error_text(exc: DomainError) -> str:
    """Plain text (for a button's alert); escape it to put it in an HTML message."""
    if isinstance(exc, AlreadyTaken):
        return texts.TAKEN.format(name=exc.by)
    if isinstance(exc, TooSoon):
        return texts.URGE_TOO_SOON
    if isinstance(exc, SurveyClosed):
        return texts.SURVEY_CLOSED
    if isinstance(exc, WrongState):
        return texts.STALE_BUTTON
    if isinstance(exc, UnknownRequest):
        return texts.UNKNOWN_REQUEST
    if isinstance(exc, NotAllowed):
        return texts.NOT_ALLOWED
    return texts.GENERIC_ERROR


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Reply]) -> None:
    """Send replies, in order, to one chat."""
    for reply in replies:
        await bot.send_message(chat_id, reply.text, parse_mode=ParseMode.HTML,
                               reply_markup=markup(reply), disable_web_page_preview=True)


async def show(update: Update, replies: Sequence[Reply]) -> None:
    """Send replies to the chat the update came from."""
    if update.effective_chat is not None:
        await send_replies(update.get_bot(), update.effective_chat.id, replies)


async def on_error(update: object, context: AppContext) -> None:
    """Unexpected errors: logged with the traceback, the user told to try again later."""
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Telegram or the network had a moment; polling retries by itself
        log.warning("Telegram unreachable: %s", error)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.GENERIC_ERROR, show_alert=True)
        elif update.effective_chat is not None:
            await update.effective_chat.send_message(texts.GENERIC_ERROR)
    except (BadRequest, Forbidden):
        log.warning("could not tell the user about the error", exc_info=True)
