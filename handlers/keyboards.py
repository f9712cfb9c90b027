"""Replies as Telegram markup: inline buttons and the reply keyboards of the report."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.delivery.sender import inline_markup
from bot.notify import texts
from bot.notify.replies import Keyboard, Reply

TelegramMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def _reply_keyboard(rows: list[list[KeyboardButton]]) -> ReplyKeyboardMarkup:
    """One-time: each report keyboard answers one question, and the confirm step's summary
    (inline buttons) cannot remove it; the client hides it once a button is pressed."""
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def _keyboard(kind: Keyboard, traditional: bool) -> TelegramMarkup:
    def label(text: str) -> str:
        return texts.localise(text, traditional)

    if kind == Keyboard.PHOTOS:
        return _reply_keyboard([[KeyboardButton(label(texts.BTN_DONE))]])
    if kind == Keyboard.LOCATION:
        return _reply_keyboard([[KeyboardButton(label(texts.BTN_LOCATION),
                                                request_location=True)],
                                [KeyboardButton(label(texts.BTN_NO_PLACE))]])
    if kind == Keyboard.CONTACT:
        return _reply_keyboard([[KeyboardButton(label(texts.BTN_CONTACT), request_contact=True)],
                                [KeyboardButton(label(texts.BTN_SKIP))]])
    return ReplyKeyboardRemove()


def markup(reply: Reply) -> TelegramMarkup | None:
    """Inline buttons win; otherwise the reply keyboard the reply asks for, if any."""
    if reply.buttons:
        return inline_markup(reply.buttons)
    if reply.keyboard is None:
        return None
    return _keyboard(reply.keyboard, reply.traditional)


def keyboard_json(reply: Reply) -> dict[str, Any] | None:
    """The reply keyboard `reply` asks for (no inline buttons), as Telegram's JSON: what the
    outbox keeps when the reply has to wait there."""
    if reply.buttons or reply.keyboard is None:
        return None
    return _keyboard(reply.keyboard, reply.traditional).to_dict()
