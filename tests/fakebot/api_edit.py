"""Editing and housekeeping methods: editMessage*, deleteMessage, answerCallbackQuery."""

from __future__ import annotations

import time
from typing import Any

from .api_send import SendMethods
from .errors import bad_request
from .keyboards import validate_markup
from .markup import Parsed, utf16_len
from .models import SentMessage
from .params import Params

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CALLBACK_ANSWER_LIMIT = 200  # UTF-16 code units, like every Telegram text limit
MEDIA_KEYS = ("photo", "voice", "document", "video", "audio")


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


class EditMethods(SendMethods):
    def editable(self, p: Params) -> SentMessage:
        if p.has("inline_message_id"):
            raise bad_request("message to edit not found")
        chat_id = p.chat_id()
        self.writable_chat(chat_id)
        message_id = p.integer("message_id", required=True)
        assert message_id is not None
        message = self.bot_message(chat_id, message_id)
        if message is None:
            if (chat_id, message_id) in self._inbound:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return message

    def apply_edit(
        self,
        message: SentMessage,
        key: str,
        parsed: Parsed | None,
        raw: str | None,
        p: Params,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        self.producing(message.chat_id)
        message.edits.append(message.snapshot())
        payload = message.payload
        if key:
            entities_key = "entities" if key == "text" else "caption_entities"
            payload.pop(key, None)
            payload.pop(entities_key, None)
            if parsed is not None:
                payload[key] = parsed.text
                if parsed.entities:
                    payload[entities_key] = parsed.entities
            message.text = parsed.text if parsed else None
            message.raw_text = raw
            message.parse_mode = p.text("parse_mode") or None
            message.entities = parsed.entities if parsed else []
        message.reply_markup = markup
        payload.pop("reply_markup", None)
        if markup is not None:
            payload["reply_markup"] = markup
        payload["edit_date"] = int(time.time())
        self._signal.notify()
        return payload

    async def api_edit_message_text(self, p: Params) -> Any:
        message = self.editable(p)
        if "text" not in message.payload:
            raise bad_request("there is no text in the message to edit")
        parsed = self.message_text(p)
        markup = validate_markup(p.obj("reply_markup"), inline_only=True)
        same = (parsed.text, parsed.entities) == (message.text, message.entities)
        if same and markup == _inline(message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(message, "text", parsed, p.text("text"), p, markup)

    async def api_edit_message_caption(self, p: Params) -> Any:
        message = self.editable(p)
        if not any(key in message.payload for key in MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        parsed = self.caption(p)
        markup = validate_markup(p.obj("reply_markup"), inline_only=True)
        text, entities = (parsed.text, parsed.entities) if parsed else (None, [])
        same = (text, entities) == (message.text, message.entities)
        if same and markup == _inline(message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(message, "caption", parsed, p.text("caption"), p, markup)

    async def api_edit_message_reply_markup(self, p: Params) -> Any:
        message = self.editable(p)
        markup = validate_markup(p.obj("reply_markup"), inline_only=True)
        if markup == _inline(message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(message, "", None, None, p, markup)

    async def api_delete_message(self, p: Params) -> Any:
        chat_id = p.chat_id()
        self.known_chat(chat_id)
        message_id = p.integer("message_id", required=True)
        assert message_id is not None
        message = self.bot_message(chat_id, message_id)
        if message is not None:
            message.deleted = True
            self._signal.notify()
            return True
        if self._inbound.pop((chat_id, message_id), None) is not None:
            return True
        raise bad_request("message to delete not found")

    async def api_answer_callback_query(self, p: Params) -> Any:
        query_id = p.text("callback_query_id")
        if not query_id or self._queries.get(query_id) is not False:
            raise bad_request(QUERY_INVALID)
        text = p.text("text")
        if text and utf16_len(text) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        self._queries[query_id] = True
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": p.flag("show_alert"),
            "url": p.text("url"),
            "cache_time": p.integer("cache_time"),
        }
        self._signal.notify()
        return True
