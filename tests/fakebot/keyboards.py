"""Validation of reply_markup objects (inline and reply keyboards) like the Bot API."""

from __future__ import annotations

from typing import Any

from .errors import TgError, bad_request

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
REPLY_ACTIONS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)
REPLY_FLAGS = ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective")
MAX_INLINE_BUTTONS = 100
URL_SCHEMES = ("http://", "https://", "tg://")

_MARKUP_JSON = "can't parse reply keyboard markup JSON object"


def validate_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Check a reply_markup; return it normalised (an empty inline keyboard becomes None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request(_MARKUP_JSON)
    if "inline_keyboard" in markup:
        return _inline(markup)
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        return _reply_keyboard(markup)
    if "remove_keyboard" in markup:
        return _flag_markup(markup, "remove_keyboard")
    if "force_reply" in markup:
        _placeholder(markup)
        return _flag_markup(markup, "force_reply")
    raise bad_request(_MARKUP_JSON)


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" must be an Array of Arrays')
    return rows


def _inline(markup: dict[str, Any]) -> dict[str, Any] | None:
    rows = _rows(markup, "inline_keyboard")
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise bad_request("BUTTONS_TOO_MUCH")
    for button in buttons:
        _inline_button(button)
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


def _button_error(detail: str) -> TgError:
    return bad_request(f"can't parse inline keyboard button: {detail}")


def _inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _button_error('Field "text" must be of type String')
    if not text.strip():
        raise bad_request("text buttons must have non-empty text")
    actions = [key for key in INLINE_ACTIONS if key in button]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(f"exactly one action expected, got {', '.join(actions)}")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(URL_SCHEMES):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows = _rows(markup, "keyboard")
    if not any(rows):
        raise bad_request("keyboard must be non-empty")
    for row in rows:
        for button in row:
            _reply_button(button)
    for flag in REPLY_FLAGS:
        if flag in markup and not isinstance(markup[flag], bool):
            raise bad_request(f'field "{flag}" must be of type Boolean')
    _placeholder(markup)
    return markup


def _reply_button(button: Any) -> None:
    if isinstance(button, str):
        text = button
    elif isinstance(button, dict):
        text = button.get("text")
        actions = [key for key in REPLY_ACTIONS if key in button]
        if len(actions) > 1:
            raise bad_request(f"keyboard button has several actions: {', '.join(actions)}")
        for key in ("request_contact", "request_location"):
            if key in button and not isinstance(button[key], bool):
                raise bad_request(f'field "{key}" must be of type Boolean')
    else:
        raise bad_request("KeyboardButton must be a String or an Object")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("keyboard button text must be non-empty")


def _placeholder(markup: dict[str, Any]) -> None:
    placeholder = markup.get("input_field_placeholder")
    if placeholder is None:
        return
    if not isinstance(placeholder, str) or len(placeholder) > 64:
        raise bad_request("input_field_placeholder must be a String of 0-64 characters")


def _flag_markup(markup: dict[str, Any], key: str) -> dict[str, Any]:
    if markup[key] is not True:
        raise bad_request(_MARKUP_JSON)
    if "selective" in markup and not isinstance(markup["selective"], bool):
        raise bad_request('field "selective" must be of type Boolean')
    return markup


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not markup:
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def reply_buttons(markup: dict[str, Any] | None) -> list[str]:
    if not markup:
        return []
    labels = []
    for row in markup.get("keyboard", []):
        for button in row:
            labels.append(button if isinstance(button, str) else button["text"])
    return labels
