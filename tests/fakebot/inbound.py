"""Test-facing helpers that register people and queue what they send as Updates."""

from __future__ import annotations

import copy
import time
from typing import Any

from .markup import utf16_len
from .models import GroupRecord, SentMessage, UserRecord
from .state import FakeState


class InboundMixin(FakeState):
    # ------------------------------------------------------------ people and chats

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str = "zh-hans",
        opened: bool = True,
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        """Register a person; opened=False means they never pressed Start."""
        self.users[user_id] = UserRecord(
            user_id, first_name, language_code, opened, username=username, last_name=last_name
        )

    def block(self, user_id: int) -> None:
        self.user(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        self.user(user_id).blocked = False

    def add_group(self, chat_id: int, title: str) -> None:
        assert chat_id < 0, "group chat ids are negative"
        self.groups[chat_id] = GroupRecord(chat_id, title)

    # ------------------------------------------------------------ messages from people

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> int:
        """Queue a text message; a leading /command gets a bot_command entity."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._inbound_message(user_id, fields, chat_id)

    def send_photo(
        self, user_id: int, caption: str | None = None, *, chat_id: int | None = None
    ) -> int:
        record = self.new_file("photo")
        fields: dict[str, Any] = {"photo": self.photo_sizes(record)}
        if caption is not None:
            fields["caption"] = caption
        return self._inbound_message(user_id, fields, chat_id)

    def send_voice(self, user_id: int, duration: int = 5, *, chat_id: int | None = None) -> int:
        record = self.new_file("voice")
        voice = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(record.data),
        }
        return self._inbound_message(user_id, {"voice": voice}, chat_id)

    def send_location(
        self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._inbound_message(user_id, {"location": location}, chat_id)

    def send_contact(
        self, user_id: int, phone_number: str, *, contact_user_id: int | None = None
    ) -> int:
        """Share a contact; by default the user's own (contact.user_id == user_id)."""
        user = self.user(user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": user.first_name,
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        return self._inbound_message(user_id, {"contact": contact}, None)

    def send_sticker(self, user_id: int, *, chat_id: int | None = None) -> int:
        record = self.new_file("sticker")
        sticker = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._inbound_message(user_id, {"sticker": sticker}, chat_id)

    def send_document(
        self,
        user_id: int,
        file_name: str = "a.pdf",
        *,
        data: bytes | None = None,
        chat_id: int | None = None,
    ) -> int:
        record = self.new_file("document", data, file_name)
        document = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_name": file_name,
            "mime_type": _mime_type(file_name),
            "file_size": len(record.data),
        }
        return self._inbound_message(user_id, {"document": document}, chat_id)

    def _inbound_message(self, user_id: int, fields: dict[str, Any], chat_id: int | None) -> int:
        user = self.user(user_id)
        target = user_id if chat_id is None else chat_id
        if target == user_id:
            user.opened = True
            user.blocked = False
        elif target not in self.groups:
            raise AssertionError(f"group {target} was not added (call add_group first)")
        elif self.groups[target].access_error() is not None:
            raise AssertionError(f"the bot no longer receives messages of group {target}")
        message = {
            "message_id": self.new_message_id(target),
            "from": user.as_user(),
            "chat": self.chat_dict(target),
            "date": int(time.time()),
            **fields,
        }
        self._inbound[(target, message["message_id"])] = message
        self.queue_update("message", message)
        return int(message["message_id"])

    # ------------------------------------------------------------ button presses

    def press(self, user_id: int, message: SentMessage, label: str) -> str:
        """Press the inline button labelled `label` in the message's current markup."""
        return self.press_data(user_id, message, message.button_data(label))

    def press_data(self, user_id: int, message: SentMessage, data: str) -> str:
        """Queue a callback_query with arbitrary (possibly forged or stale) data."""
        user = self.user(user_id)
        if message.deleted:
            raise AssertionError(f"message {message.describe()} was deleted; nothing to press")
        if message.chat_id != user_id and message.chat_id not in self.groups:
            raise AssertionError(f"user {user_id} can't see message in chat {message.chat_id}")
        query_id = str(4_000_000_000_000 + next(self._serial))
        self._queries[query_id] = False
        query = {
            "id": query_id,
            "from": user.as_user(),
            "message": copy.deepcopy(message.payload),
            "chat_instance": str(-abs(message.chat_id) * 7 - 1),
            "data": data,
        }
        self.queue_update("callback_query", query)
        return query_id


def _mime_type(file_name: str) -> str:
    known = {".pdf": "application/pdf", ".csv": "text/csv", ".txt": "text/plain"}
    for suffix, mime in known.items():
        if file_name.lower().endswith(suffix):
            return mime
    return "application/octet-stream"
