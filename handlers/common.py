"""Showing replies, turning domain errors into polite words, and the last-resort error handler."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.domain.access import reads_traditional
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
from bot.notify.render import in_traditional
from bot.notify.replies import Reply
from bot.services import Services
from bot.services.cards import keep_copies
from bot.services.updates import (
    UpdateSeen,
    database_unavailable,
    queue_replies,
    stop_recording,
)
from handlers.context import AppContext
from handlers.keyboards import keyboard_json, markup

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


class UnsentReplies(Exception):
    """Telegram did not take these replies (a 5xx, a timeout, a network error, or 429s past
    the rate limiter's retries); the error handler queues them in the outbox."""

    def __init__(self, chat_id: int, replies: Sequence[Reply]) -> None:
        super().__init__(f"{len(replies)} replies to {chat_id} not sent")
        self.chat_id = chat_id
        self.replies = tuple(replies)


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Reply],
                       svc: Services | None = None) -> None:
    """Send replies, in order, to one chat; with `svc`, the requests' cards among them are
    kept as copies (edited as their requests move).

    Raises UnsentReplies (with the reply that failed and those after it) when Telegram or
    the network fails; BadRequest and Forbidden go through as they are (retrying cannot
    help).
    """
    cards: list[tuple[Reply, int, int]] = []
    for index, reply in enumerate(replies):
        try:
            sent = await bot.send_message(chat_id, reply.text, parse_mode=ParseMode.HTML,
                                          reply_markup=markup(reply),
                                          disable_web_page_preview=True)
        except BadRequest:   # a NetworkError in PTB: caught first
            raise
        except (NetworkError, RetryAfter) as exc:
            raise UnsentReplies(chat_id, replies[index:]) from exc
        if reply.card_of is not None and reply.buttons:
            cards.append((reply, chat_id, sent.message_id))
    if cards and svc is not None:
        await keep_copies(svc, cards)


async def show(update: Update, replies: Sequence[Reply],
               svc: Services | None = None, *, traditional: bool = False) -> None:
    """Send replies to the chat the update came from, in Traditional Chinese when
    `traditional` or the sender's Telegram language is a Traditional one (zh-TW, zh-HK…);
    with `svc`, cards are kept as copies (they follow their task)."""
    user = update.effective_user
    if traditional or (user is not None and reads_traditional(user.language_code)):
        replies = [in_traditional(r) for r in replies]
    if update.effective_chat is not None:
        await send_replies(update.get_bot(), update.effective_chat.id, replies, svc)


async def on_error(update: object, context: AppContext) -> None:
    """Unexpected errors: logged with the traceback, the user told to try again later;
    replies Telegram did not take go to the outbox. Never raises (a failure here is
    logged)."""
    try:
        await _on_error(update, context)
    except Exception:
        log.exception("the error handler could not finish")


async def _on_error(update: object, context: AppContext) -> None:
    error = context.error
    if isinstance(error, UpdateSeen):   # a redelivery: nothing written, nothing answered
        log.info("%s", error)
        return
    if isinstance(error, UnsentReplies):
        log.warning("Telegram did not take a reply (%s): queued", error.__cause__)
        await queue_replies(context.svc, error.chat_id,
                            [(r.text, r.buttons, keyboard_json(r)) for r in error.replies])
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Telegram or the network had a moment; polling retries by itself
        log.warning("Telegram unreachable: %s", error)
    elif error is not None and database_unavailable(error):
        log.warning("database unavailable while handling an update: %s", error)
    else:
        log.error("error while handling an update", exc_info=error)
    stop_recording()   # the apology does not record the update: redelivered, it is retried
    if isinstance(update, Update):
        await apologise(update, context)


async def apologise(update: Update, context: AppContext) -> None:
    """Tell whoever sent `update` to try again later (texts.GENERIC_ERROR): on the button,
    or in the chat (queued in the outbox if Telegram does not take it now)."""
    chat = update.effective_chat
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.GENERIC_ERROR, show_alert=True)
        elif chat is not None:
            await chat.send_message(texts.GENERIC_ERROR)
    except (BadRequest, Forbidden):
        log.warning("could not tell the user about the error", exc_info=True)
    except (NetworkError, RetryAfter):
        if chat is not None and update.callback_query is None:
            await queue_replies(context.svc, chat.id, [(texts.GENERIC_ERROR, (), None)])
