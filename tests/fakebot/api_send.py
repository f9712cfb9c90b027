"""Message-producing Bot API methods: sendMessage, sendPhoto, sendMediaGroup, ..."""

from __future__ import annotations

import copy
from typing import Any

from .errors import bad_request
from .keyboards import validate_markup
from .markup import Parsed, check_length, parse_text
from .models import FileRecord, SentMessage
from .params import Params
from .state import FakeState

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MEDIA_GROUP_TYPES = frozenset({"photo", "video", "document", "audio"})
COPIED_FIELDS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "voice",
    "document",
    "sticker",
    "location",
    "contact",
    "video",
    "audio",
)
WRONG_FILE = "wrong file identifier/HTTP URL specified"


class SendMethods(FakeState):
    # ------------------------------------------------------------ shared helpers

    def parse_body(self, p: Params, raw: str, entities_key: str) -> Parsed:
        entities = p.obj(entities_key)
        if entities:
            return Parsed(raw, list(entities))
        return parse_text(raw, p.text("parse_mode"))

    def message_text(self, p: Params) -> Parsed:
        raw = p.text("text")
        if not raw:
            raise bad_request("message text is empty")
        parsed = self.parse_body(p, raw, "entities")
        if not parsed.text.strip():
            raise bad_request("message text is empty")
        check_length(parsed.text, TEXT_LIMIT, "message")
        return parsed

    def caption(self, p: Params) -> Parsed | None:
        raw = p.text("caption")
        if not raw:
            return None
        parsed = self.parse_body(p, raw, "caption_entities")
        check_length(parsed.text, CAPTION_LIMIT, "message caption")
        return parsed

    def text_fields(self, p: Params, parsed: Parsed | None, key: str) -> dict[str, Any]:
        return {
            "text": parsed.text if parsed else None,
            "raw_text": p.text(key) if parsed else None,
            "parse_mode": p.text("parse_mode") or None,
            "entities": parsed.entities if parsed else [],
        }

    def reply_to(self, p: Params, chat_id: int) -> int | None:
        params = p.obj("reply_parameters")
        if isinstance(params, dict):
            message_id = params.get("message_id")
            allow = bool(params.get("allow_sending_without_reply"))
            if params.get("chat_id") not in (None, chat_id):
                return None
        else:
            message_id = p.integer("reply_to_message_id")
            allow = p.flag("allow_sending_without_reply")
        if message_id is None:
            return None
        if not self.message_exists(chat_id, int(message_id)):
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def fill(
        self,
        payload: dict[str, Any],
        key: str,
        parsed: Parsed | None,
        markup: dict[str, Any] | None,
        reply_to: int | None,
    ) -> dict[str, Any]:
        if parsed is not None:
            payload[key] = parsed.text
            if parsed.entities:
                payload["entities" if key == "text" else "caption_entities"] = parsed.entities
        if markup is not None:
            payload["reply_markup"] = markup
        if reply_to is not None:
            source = copy.deepcopy(self.source_message(payload["chat"]["id"], reply_to) or {})
            source.pop("reply_to_message", None)
            payload["reply_to_message"] = source
        return payload

    def resolve_file(self, p: Params, value: Any, kind: str) -> FileRecord:
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith("attach://"):
            upload = p.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(WRONG_FILE)
            return self.new_file(kind, upload.data, upload.filename)
        if value.startswith(("http://", "https://")):
            return self.new_file(kind)
        record = self.files.get(value)
        if record is None:
            raise bad_request(WRONG_FILE)
        if record.kind != kind:
            raise bad_request(f"can't use file of type {record.kind.title()} as {kind.title()}")
        return record

    def input_file(self, p: Params, field: str) -> FileRecord:
        upload = p.files.get(field)
        if upload is not None:
            return self.new_file(field, upload.data, upload.filename)
        return self.resolve_file(p, p.text(field), field)

    def file_object(self, record: FileRecord, kind: str, duration: int | None = None) -> Any:
        if kind == "photo":
            return self.photo_sizes(record)
        obj: dict[str, Any] = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
        }
        if kind in ("voice", "audio", "video"):
            obj["duration"] = duration or 5
        if kind == "voice":
            obj["mime_type"] = "audio/ogg"
        if kind == "video":
            obj.update(width=1280, height=720)
        if kind == "document":
            obj["file_name"] = record.file_name or "file.bin"
        return obj

    def producing(self, chat_id: int, count: int = 1) -> None:
        self.flood.acquire(chat_id, group=self.is_group(chat_id), count=count)

    # ------------------------------------------------------------ methods

    async def api_send_message(self, p: Params) -> Any:
        chat_id = p.chat_id()
        chat = self.writable_chat(chat_id)
        parsed = self.message_text(p)
        markup = validate_markup(p.obj("reply_markup"))
        reply_to = self.reply_to(p, chat_id)
        self.producing(chat_id)
        payload = self.fill(self.base_message(chat), "text", parsed, markup, reply_to)
        fields = self.text_fields(p, parsed, "text")
        return self.record_sent(
            payload, "sendMessage", reply_to_message_id=reply_to, **fields
        ).payload

    async def send_file(self, p: Params, method: str, kind: str) -> Any:
        chat_id = p.chat_id()
        chat = self.writable_chat(chat_id)
        record = self.input_file(p, kind)
        caption = self.caption(p)
        markup = validate_markup(p.obj("reply_markup"))
        reply_to = self.reply_to(p, chat_id)
        self.producing(chat_id)
        payload = self.base_message(chat)
        payload[kind] = self.file_object(record, kind, p.integer("duration"))
        self.fill(payload, "caption", caption, markup, reply_to)
        message = self.record_sent(
            payload,
            method,
            file_bytes=record.data,
            reply_to_message_id=reply_to,
            **{kind: payload[kind]},
            **self.text_fields(p, caption, "caption"),
        )
        return message.payload

    async def api_send_photo(self, p: Params) -> Any:
        return await self.send_file(p, "sendPhoto", "photo")

    async def api_send_voice(self, p: Params) -> Any:
        return await self.send_file(p, "sendVoice", "voice")

    async def api_send_document(self, p: Params) -> Any:
        return await self.send_file(p, "sendDocument", "document")

    async def api_send_location(self, p: Params) -> Any:
        chat_id = p.chat_id()
        chat = self.writable_chat(chat_id)
        latitude = p.number("latitude", required=True)
        longitude = p.number("longitude", required=True)
        assert latitude is not None and longitude is not None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong latitude/longitude specified")
        markup = validate_markup(p.obj("reply_markup"))
        reply_to = self.reply_to(p, chat_id)
        self.producing(chat_id)
        payload = self.base_message(chat)
        payload["location"] = {"latitude": latitude, "longitude": longitude}
        self.fill(payload, "text", None, markup, reply_to)
        return self.record_sent(
            payload,
            "sendLocation",
            text=None,
            parse_mode=None,
            location=payload["location"],
            reply_to_message_id=reply_to,
        ).payload

    async def api_send_media_group(self, p: Params) -> Any:
        chat_id = p.chat_id()
        chat = self.writable_chat(chat_id)
        media = p.obj("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("media group must contain 2-10 items")
        items = [self.media_item(p, item) for item in media]
        kinds = {kind for kind, _, _, _ in items}
        for alone in ("document", "audio"):
            if alone in kinds and kinds != {alone}:
                raise bad_request(f"{alone} can't be mixed with other media types")
        reply_to = self.reply_to(p, chat_id)
        self.producing(chat_id, count=len(items))
        group_id = str(10**15 + next(self._serial))
        return [self.media_message(chat, group_id, item, reply_to) for item in items]

    def media_item(self, p: Params, item: Any) -> tuple[str, FileRecord, Parsed | None, dict]:
        if not isinstance(item, dict) or item.get("type") not in MEDIA_GROUP_TYPES:
            raise bad_request("unsupported media type in the media group")
        kind = item["type"]
        record = self.resolve_file(p, item.get("media"), kind)
        caption = None
        if item.get("caption"):
            item_params = Params({"parse_mode": item.get("parse_mode")})
            caption = self.parse_body(item_params, item["caption"], "caption_entities")
            check_length(caption.text, CAPTION_LIMIT, "message caption")
        return kind, record, caption, item

    def media_message(
        self, chat: dict[str, Any], group_id: str, item: tuple, reply_to: int | None
    ) -> dict[str, Any]:
        kind, record, caption, raw = item
        payload = self.base_message(chat)
        payload["media_group_id"] = group_id
        payload[kind] = self.file_object(record, kind)
        self.fill(payload, "caption", caption, None, reply_to)
        extra = {kind: payload[kind]} if kind in ("photo", "document") else {}
        self.record_sent(
            payload,
            "sendMediaGroup",
            text=caption.text if caption else None,
            raw_text=raw.get("caption"),
            parse_mode=raw.get("parse_mode"),
            entities=caption.entities if caption else [],
            file_bytes=record.data,
            reply_to_message_id=reply_to,
            **extra,
        )
        return payload

    async def api_send_chat_action(self, p: Params) -> Any:
        chat_id = p.chat_id()
        self.writable_chat(chat_id)
        action = p.text("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    async def api_copy_message(self, p: Params) -> Any:
        message = await self.copy_or_forward(p, "copyMessage")
        return {"message_id": message.message_id}

    async def api_forward_message(self, p: Params) -> Any:
        return (await self.copy_or_forward(p, "forwardMessage")).payload

    async def copy_or_forward(self, p: Params, method: str) -> SentMessage:
        chat_id = p.chat_id()
        chat = self.writable_chat(chat_id)
        from_chat = p.chat_id("from_chat_id")
        message_id = p.integer("message_id", required=True)
        assert message_id is not None
        source = self.source_message(from_chat, message_id)
        if source is None:
            verb = "copy" if method == "copyMessage" else "forward"
            raise bad_request(f"message to {verb} not found")
        caption = self.caption(p) if method == "copyMessage" and p.has("caption") else None
        markup = validate_markup(p.obj("reply_markup")) if method == "copyMessage" else None
        self.producing(chat_id)
        payload = self.base_message(chat)
        payload.update({k: copy.deepcopy(source[k]) for k in COPIED_FIELDS if k in source})
        if method == "forwardMessage":
            payload["forward_origin"] = self.origin(source)
        self.fill(payload, "caption", caption, markup, None)
        shown = payload.get("text") or payload.get("caption")
        return self.record_sent(
            payload,
            method,
            text=shown,
            raw_text=shown,
            parse_mode=None,
            entities=payload.get("entities") or payload.get("caption_entities") or [],
            photo=payload.get("photo"),
            voice=payload.get("voice"),
            location=payload.get("location"),
            document=payload.get("document"),
        )

    def origin(self, source: dict[str, Any]) -> dict[str, Any]:
        return {"type": "user", "sender_user": source["from"], "date": source["date"]}
