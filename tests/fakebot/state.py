"""State shared by the API handlers and the test-facing helpers of the fake server."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable
from typing import Any

from .errors import ApiError, TgError, bad_request
from .flood import FloodControl
from .models import FileRecord, GroupRecord, SentMessage, Signal, UserRecord

CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
BLOCKED = "Forbidden: bot was blocked by the user"
CHAT_NOT_FOUND = "chat not found"
UPDATE_KINDS_OFF_BY_DEFAULT = ("chat_member", "message_reaction", "message_reaction_count")


class FakeState:
    """Everything the fake Telegram knows; no I/O here."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        flood_limits: bool,
        clock: Callable[[], float] | None,
        first_update_id: int = 100_001,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = "Lianxin"
        self.users: dict[int, UserRecord] = {}
        self.groups: dict[int, GroupRecord] = {}
        self.sent: list[SentMessage] = []
        self.errors: list[ApiError] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.calls: list[str] = []
        self.files: dict[str, FileRecord] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.allowed_updates: list[str] = []
        self.flood = FloodControl(clock or time.monotonic, flood_limits)
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._inbound: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        self.update_log: dict[int, dict[str, Any]] = {}  # every update ever queued, by id
        self.delivered: list[int] = []  # update ids in the order they were handed out
        self._pinned: set[int] = set()  # redelivered: kept whatever the poller's offset
        self._update_ids = itertools.count(first_update_id)
        self._serial = itertools.count(1)
        self._queries: dict[str, bool] = {}
        self._signal = Signal()
        self._poll_count = 0
        self._held_polls: dict[int, Any] = {}  # id(request) -> request of open polls
        self._closing = False

    # ------------------------------------------------------------ identities

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user(self, user_id: int) -> UserRecord:
        try:
            return self.users[user_id]
        except KeyError:
            raise AssertionError(f"user {user_id} was not added (call add_user first)") from None

    def chat_dict(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.groups:
            return self.groups[chat_id].as_chat()
        return self.user(chat_id).as_chat()

    def is_group(self, chat_id: int) -> bool:
        return chat_id in self.groups

    # ------------------------------------------------------------ chat checks

    def writable_chat(self, chat_id: int) -> dict[str, Any]:
        """The chat object for a chat the bot may write to, else the Telegram error."""
        group = self.groups.get(chat_id)
        if group is not None:
            return self.group_chat(group)
        user = self.users.get(chat_id)
        if user is None:
            if chat_id > 0:
                raise TgError(403, CANT_INITIATE)
            raise bad_request(CHAT_NOT_FOUND)
        if user.blocked:
            raise TgError(403, BLOCKED)
        if not user.opened:
            raise TgError(403, CANT_INITIATE)
        return user.as_chat()

    def group_chat(self, group: GroupRecord) -> dict[str, Any]:
        """The group's chat object, or the error for a migrated group / a removed bot."""
        error = group.access_error()
        if error is not None:
            raise error
        return group.as_chat()

    def known_chat(self, chat_id: int) -> dict[str, Any]:
        """A chat the bot has seen (open private chat or group), else 400 chat not found."""
        if chat_id in self.groups:
            return self.group_chat(self.groups[chat_id])
        user = self.users.get(chat_id)
        if user is None or not user.opened:
            raise bad_request(CHAT_NOT_FOUND)
        return user.as_chat()

    # ------------------------------------------------------------ messages

    def new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def base_message(self, chat: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": self.new_message_id(chat["id"]),
            "from": self.bot_user(),
            "chat": chat,
            "date": int(time.time()),
        }

    def record_sent(self, payload: dict[str, Any], method: str, **fields: Any) -> SentMessage:
        message = SentMessage(
            message_id=payload["message_id"],
            chat_id=payload["chat"]["id"],
            method=method,
            index=len(self.sent),
            payload=payload,
            reply_markup=payload.get("reply_markup"),
            media_group_id=payload.get("media_group_id"),
            **fields,
        )
        if message.reply_markup and "inline_keyboard" not in message.reply_markup:
            # Telegram's Message carries only inline keyboards; reply keyboards stay client-side
            payload.pop("reply_markup")
        self.sent.append(message)
        self._messages[(message.chat_id, message.message_id)] = message
        self._signal.notify()
        return message

    def bot_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        message = self._messages.get((chat_id, message_id))
        return None if message is None or message.deleted else message

    def message_exists(self, chat_id: int, message_id: int) -> bool:
        return (
            self.bot_message(chat_id, message_id) is not None
            or (chat_id, message_id) in self._inbound
        )

    def source_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        bot_message = self.bot_message(chat_id, message_id)
        if bot_message is not None:
            return bot_message.payload
        return self._inbound.get((chat_id, message_id))

    # ------------------------------------------------------------ files

    def new_file(
        self, kind: str, data: bytes | None = None, file_name: str | None = None
    ) -> FileRecord:
        serial = next(self._serial)
        extension = {"photo": "jpg", "voice": "oga", "sticker": "webp"}.get(kind, "bin")
        record = FileRecord(
            file_id=f"{kind[:2].upper()}ACAgUAAxkBAAI{serial:08d}fake{kind}",
            file_unique_id=f"AQAD{serial:06d}{kind[:1]}",
            kind=kind,
            data=data if data is not None else f"fake-{kind}-{serial}".encode(),
            file_path=f"{kind}s/file_{serial}.{extension}",
            file_name=file_name,
        )
        self.files[record.file_id] = record
        return record

    def photo_sizes(self, record: FileRecord) -> list[dict[str, Any]]:
        sizes = []
        for scale, (width, height) in enumerate(((90, 67), (320, 240), (1280, 960))):
            sizes.append(
                {
                    "file_id": record.file_id if scale == 2 else f"{record.file_id}-s{scale}",
                    "file_unique_id": f"{record.file_unique_id}-s{scale}",
                    "width": width,
                    "height": height,
                    "file_size": len(record.data) // (3 - scale),
                }
            )
            self.files.setdefault(sizes[-1]["file_id"], record)
        return sizes

    def file_by_path(self, path: str) -> FileRecord | None:
        for record in self.files.values():
            if record.file_path == path:
                return record
        return None

    # ------------------------------------------------------------ updates

    def queue_update(self, kind: str, obj: dict[str, Any]) -> None:
        if self.allowed_updates and kind not in self.allowed_updates:
            return
        if not self.allowed_updates and kind in UPDATE_KINDS_OFF_BY_DEFAULT:
            return
        update = {"update_id": next(self._update_ids), kind: obj}
        self.update_log[update["update_id"]] = copy.deepcopy(update)
        self._updates.append(update)
        self._signal.notify()

    def hand_out(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Note `updates` as delivered (a redelivered one is then confirmable again)."""
        for update in updates:
            self.delivered.append(update["update_id"])
            self._pinned.discard(update["update_id"])
        return updates

    def take_updates(self) -> list[dict[str, Any]]:
        """The queued updates, removed from the queue (to post them to a webhook)."""
        updates, self._updates = self._updates, []
        self._signal.notify()
        return self.hand_out(updates)

    def confirm_updates(self, offset: int) -> None:
        """getUpdates' offset: forget updates below it (except ones being redelivered)."""
        if offset > 0:
            kept = self._pinned
            self._updates = [
                u for u in self._updates if u["update_id"] >= offset or u["update_id"] in kept
            ]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._signal.notify()

    def record_error(self, method: str, err: TgError, chat_id: int | str | None) -> None:
        self.errors.append(ApiError(method, err.status, err.description, chat_id, err.retry_after))
        self._signal.notify()
