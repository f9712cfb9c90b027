"""Records kept by the fake server: people, chats, files, sent messages; a wake-up signal."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import TgError, migrated
from .keyboards import inline_buttons, reply_buttons


@dataclass
class UserRecord:
    id: int
    first_name: str
    language_code: str = "zh-hans"
    opened: bool = True
    blocked: bool = False
    username: str | None = None
    last_name: str | None = None

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass
class GroupRecord:
    """A group or supergroup; `bot_status` is the bot's ChatMember status in it."""

    id: int
    title: str
    migrated_to: int | None = None
    bot_status: str = "member"  # member, left, kicked

    @property
    def kind(self) -> str:
        return "supergroup" if self.id < -1_000_000_000_000 else "group"

    def access_error(self) -> TgError | None:
        """What Telegram answers a bot writing here, or None when it may write."""
        if self.migrated_to is not None:
            return migrated(self.migrated_to)
        if self.bot_status == "kicked" or (self.bot_status == "left" and self.kind == "group"):
            return TgError(403, f"Forbidden: bot was kicked from the {self.kind} chat")
        if self.bot_status == "left":
            return TgError(403, f"Forbidden: bot is not a member of the {self.kind} chat")
        return None

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.kind, "title": self.title}


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    kind: str  # photo, voice, document, sticker, video, audio
    data: bytes
    file_path: str
    file_name: str | None = None

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class SentMessage:
    """A message the bot sent successfully; mutated in place when the bot edits it."""

    message_id: int
    chat_id: int
    method: str
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    index: int
    raw_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: list[dict[str, Any]] | None = None
    voice: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    file_bytes: bytes | None = None
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    edits: list[SentMessage] = field(default_factory=list)
    deleted: bool = False
    payload: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline buttons in the current markup, row by row."""
        return [button["text"] for button in inline_buttons(self.reply_markup)]

    @property
    def reply_buttons(self) -> list[str]:
        """Labels of a reply keyboard (ReplyKeyboardMarkup) attached to the message."""
        return reply_buttons(self.reply_markup)

    def button(self, label: str) -> dict[str, Any]:
        for button in inline_buttons(self.reply_markup):
            if button["text"] == label:
                return button
        raise AssertionError(
            f"no inline button {label!r} in message #{self.index} to {self.chat_id}; "
            f"buttons: {self.buttons!r}; text: {self.text!r}"
        )

    def button_data(self, label: str) -> str:
        data = self.button(label).get("callback_data")
        if data is None:
            raise AssertionError(f"inline button {label!r} has no callback_data")
        return str(data)

    def matches(self, contains: str | None) -> bool:
        if contains is None:
            return True
        return any(contains in part for part in (self.text, self.raw_text) if part)

    def snapshot(self) -> SentMessage:
        return dataclasses.replace(self, edits=[], payload=copy.deepcopy(self.payload))

    def describe(self) -> str:
        text = (self.text or "").replace("\n", "⏎")
        line = f"#{self.index} {self.method} id={self.message_id}: {text[:150]!r}"
        if self.buttons:
            line += f" buttons={self.buttons!r}"
        if self.edits:
            line += f" (edited {len(self.edits)}x)"
        if self.deleted:
            line += " (deleted)"
        return line


class Signal:
    """Wakes every waiter when the fake's state changes; waiting needs no polling sleeps."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                return predicate()
        return True
