"""The outbox's only way out: outbox rows as Bot API calls, errors as delivery results."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.delivery.outbox import Confirmed, Delivery, Result
from bot.delivery.pacing import Pacer
from bot.delivery.ratelimit import PACED, retry_seconds
from bot.limits import CAPTION, utf16_len
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

CHAT_GONE = "chat not found"   # 400 for a deleted group (or a chat id that never existed)
NOT_MODIFIED = "message is not modified"   # 400 for an edit that changes nothing: done


def inline_markup(buttons: Sequence[Sequence[Sequence[str]]] | None,
                  ) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data), as replies carry them and the outbox stores them."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in buttons])


def reply_keyboard(data: Mapping[str, Any] | None,
                   ) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """A reply keyboard (or its removal) from the Telegram JSON an outbox row keeps."""
    if not data:
        return None
    if data.get("remove_keyboard"):
        return ReplyKeyboardRemove.de_json(dict(data), None)
    return ReplyKeyboardMarkup.de_json(dict(data), None)


Call = Callable[[], Awaitable[object]]


def _refused(row: OutboxMessage, exc: TelegramError, done: int) -> Result:
    """What a 400 or 403 to a send means for the row."""
    if isinstance(exc, ChatMigrated):   # 400 with migrate_to_chat_id; not a BadRequest in PTB
        return Result(Delivery.MIGRATED, new_chat_id=exc.new_chat_id, error=str(exc),
                      parts_sent=done)
    if isinstance(exc, Forbidden):   # 403: blocked, never opened, kicked from the group
        return Result(Delivery.UNDELIVERABLE, error=str(exc), parts_sent=done)
    if CHAT_GONE in str(exc).lower():   # a deleted group: nobody to send to
        return Result(Delivery.UNDELIVERABLE, error=str(exc), parts_sent=done)
    log.error("Telegram rejected outbox row %s (%s): %s", row.id, row.kind, exc)
    return Result(Delivery.REJECTED, error=str(exc), parts_sent=done)


class TelegramSender:
    """Sends an outbox row as its Bot API calls, paced by `pacer` (no pacing if None)."""

    def __init__(self, bot: Bot, pacer: Pacer | None = None) -> None:
        self._bot = bot
        self._pacer = pacer

    async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
        """Make the row's calls from `row.parts_sent` on; the result says how many of its calls
        Telegram confirmed in all (`parts_sent`). A chat whose budget is spent gives LATER with
        the seconds to wait (the worker goes on with other chats); the overall budget is
        waited for here, since every chat waits for it alike."""
        calls = self.calls(row)
        done = min(row.parts_sent or 0, len(calls))
        sent: object = None
        try:
            for count, call in calls[done:]:
                wait = await self._pace(row.chat_id, count)
                if wait > 0:
                    return Result(Delivery.LATER, retry_after=wait, parts_sent=done)
                try:
                    sent = await call()
                finally:
                    if self._pacer is not None:   # counted from its answer on
                        self._pacer.release(row.chat_id, count)
                done += 1
                if done < len(calls) and confirmed is not None and not await confirmed(done):
                    return Result(Delivery.LATER, parts_sent=done)   # another claim has it now
        except RetryAfter as exc:
            return Result(Delivery.RETRY, retry_after=retry_seconds(exc), error=str(exc),
                          parts_sent=done)
        except (BadRequest, Forbidden, ChatMigrated) as exc:
            if row.edit_message_id is None:
                return _refused(row, exc, done)
            if NOT_MODIFIED in str(exc).lower():   # it shows the current card already
                return Result(Delivery.SENT, parts_sent=1)
            return Result(Delivery.GONE, error=str(exc), parts_sent=done)   # never retried
        except (NetworkError, TelegramError) as exc:   # 5xx, timeouts, connection errors
            return Result(Delivery.RETRY, error=str(exc), parts_sent=done, outage=True)
        return Result(Delivery.SENT, parts_sent=done,
                      message_id=sent.message_id if isinstance(sent, Message) else None)

    async def _pace(self, chat_id: int, count: int) -> float:
        """0.0 once the call's budget is taken (released after the call); else the seconds
        the chat must wait."""
        if self._pacer is None:
            return 0.0
        wait = self._pacer.chat_wait(chat_id)
        if wait > 0:
            return wait
        await self._pacer.acquire(chat_id, count)   # the chat fits: the overall is waited for
        return 0.0

    def calls(self, row: OutboxMessage) -> list[tuple[int, Call]]:
        """The row's Bot API calls in order, each with how many messages it makes."""
        bot, chat = self._bot, row.chat_id
        # our PacingRateLimiter, if the bot has one, must not take the budget a second time
        extra: dict[str, Any] = ({"rate_limit_args": PACED}
                                 if getattr(bot, "rate_limiter", None) else {})
        if row.edit_message_id is not None:   # a copy of a card, brought to the current state
            message_id = row.edit_message_id
            return [(1, lambda: bot.edit_message_text(
                row.text or "", chat_id=chat, message_id=message_id,
                parse_mode=ParseMode.HTML, reply_markup=inline_markup(row.buttons),
                disable_web_page_preview=True, **extra))]
        photos = row.photos or []
        media_row = bool(photos or row.voice)
        # a caption holds 1024 UTF-16 units (Telegram); a longer text follows as a message
        caption = row.text if row.text and utf16_len(row.text) <= CAPTION else None
        calls: list[tuple[int, Call]] = []
        if len(photos) == 1:
            calls.append((1, lambda: bot.send_photo(chat, photos[0], caption=caption,
                                                    parse_mode=ParseMode.HTML,
                                                    **extra)))
        elif photos:
            media = [InputMediaPhoto(p) for p in photos[:10]]
            media[0] = InputMediaPhoto(photos[0], caption=caption, parse_mode=ParseMode.HTML)
            calls.append((len(media), lambda: bot.send_media_group(chat, media,
                                                                   **extra)))
        if row.voice:
            voice = row.voice
            calls.append((1, lambda: bot.send_voice(chat, voice,
                                                    caption=None if photos else caption,
                                                    parse_mode=ParseMode.HTML,
                                                    **extra)))
        if row.location:
            latitude, longitude = row.location
            calls.append((1, lambda: bot.send_location(chat, latitude, longitude,
                                                       **extra)))
        if not calls or (media_row and row.text and caption is None):
            calls.append((1, lambda: bot.send_message(
                chat, row.text or "", parse_mode=ParseMode.HTML,
                reply_markup=inline_markup(row.buttons) or reply_keyboard(row.reply_markup),
                disable_web_page_preview=True,
                **extra)))
        return calls
