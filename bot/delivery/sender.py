"""The outbox's only way out: outbox rows as Bot API calls, errors as delivery results."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery.outbox import Delivery, Result
from storage.models import OutboxMessage

log = logging.getLogger(__name__)


def inline_markup(buttons: Sequence[Sequence[Sequence[str]]] | None,
                  ) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data), as replies carry them and the outbox stores them."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in buttons])


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, row: OutboxMessage) -> Result:
        try:
            await self._deliver(row)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return Result(Delivery.RETRY, retry_after=seconds, error=str(exc))
        except Forbidden as exc:
            return Result(Delivery.UNDELIVERABLE, error=str(exc))
        except BadRequest as exc:   # before NetworkError: BadRequest is one of them
            log.error("Telegram rejected outbox row %s (%s): %s", row.id, row.kind, exc)
            return Result(Delivery.REJECTED, error=str(exc))
        except (NetworkError, TelegramError) as exc:
            return Result(Delivery.RETRY, error=str(exc))
        return Result(Delivery.SENT)

    async def _deliver(self, row: OutboxMessage) -> None:
        photos = row.photos or []
        if len(photos) == 1:
            await self._bot.send_photo(row.chat_id, photos[0], caption=row.text,
                                       parse_mode=ParseMode.HTML)
        elif photos:
            media = [InputMediaPhoto(p) for p in photos[:10]]
            media[0] = InputMediaPhoto(photos[0], caption=row.text, parse_mode=ParseMode.HTML)
            await self._bot.send_media_group(row.chat_id, media)
        if row.voice:
            await self._bot.send_voice(row.chat_id, row.voice,
                                       caption=None if photos else row.text,
                                       parse_mode=ParseMode.HTML)
        if row.location:
            await self._bot.send_location(row.chat_id, *row.location)
        if not photos and not row.voice and not row.location:
            await self._bot.send_message(
                row.chat_id, row.text or "", parse_mode=ParseMode.HTML,
                reply_markup=inline_markup(row.buttons),
                disable_web_page_preview=True)
