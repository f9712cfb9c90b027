"""Test-facing helpers for what Telegram itself does to chats and updates: a group upgraded
to a supergroup, the bot removed from a group, albums, edited messages, redelivery."""

from __future__ import annotations

import bisect
import copy
import time
from typing import Any

from .inbound import InboundMixin
from .models import GroupRecord

SUPERGROUP_BELOW = -1_000_000_000_000


class EventsMixin(InboundMixin):
    # ------------------------------------------------------------ groups

    def actor(self, by: int | None) -> dict[str, Any]:
        """The User object of `by`, or of the first registered user when None."""
        if by is None:
            if not self.users:
                raise AssertionError("no user to act (call add_user first)")
            by = next(iter(self.users))
        return self.user(by).as_user()

    def migrate_group(self, old_id: int, new_id: int, *, by: int | None = None) -> None:
        """Upgrade basic group `old_id` to supergroup `new_id` (same title and members).

        Afterwards any call on old_id answers 400 "group chat was upgraded to a supergroup
        chat" with parameters.migrate_to_chat_id=new_id (PTB: ChatMigrated.new_chat_id), and
        two service messages are queued as updates, as Telegram sends them: one in the old
        group carrying `migrate_to_chat_id`, one in the new carrying `migrate_from_chat_id`.
        """
        old = self.groups.get(old_id)
        if old is None or old.kind != "group" or old.migrated_to is not None:
            raise AssertionError(f"{old_id} is not a basic group that can be upgraded")
        if new_id >= SUPERGROUP_BELOW or new_id in self.groups:
            raise AssertionError(f"{new_id} is not a free supergroup id (-100…)")
        user = self.actor(by)
        new = GroupRecord(new_id, old.title)
        self.groups[new_id] = new
        old.migrated_to = new_id
        self.service_message(old, user, migrate_to_chat_id=new_id)
        self.service_message(new, user, migrate_from_chat_id=old_id)

    def service_message(self, group: GroupRecord, user: dict[str, Any], **fields: Any) -> int:
        """Queue a service message in `group` (whatever the bot's access) as a message update."""
        message = {
            "message_id": self.new_message_id(group.id),
            "from": user,
            "chat": group.as_chat(),
            "date": int(time.time()),
            **fields,
        }
        self._inbound[(group.id, message["message_id"])] = message
        self.queue_update("message", message)
        return int(message["message_id"])

    def kick_bot(self, chat_id: int, *, by: int | None = None, banned: bool = True) -> None:
        """Remove the bot from group `chat_id`, as user `by` does.

        Sends then answer 403 "Forbidden: bot was kicked from the supergroup chat" (banned, or
        any removal from a basic group: "…from the group chat"); a supergroup removal without
        ban answers 403 "Forbidden: bot is not a member of the supergroup chat". A
        `my_chat_member` update (new status "kicked", or "left") is queued, subject to
        allowed_updates like every update.
        """
        group = self.groups.get(chat_id)
        if group is None or group.access_error() is not None:
            raise AssertionError(f"the bot is not in group {chat_id}")
        status = "kicked" if banned and group.kind == "supergroup" else "left"
        self.bot_membership(group, status, by)

    def add_bot(self, chat_id: int, *, by: int | None = None) -> None:
        """Add the bot back to a group it was removed from (a `my_chat_member` update)."""
        group = self.groups.get(chat_id)
        if group is None or group.bot_status == "member" or group.migrated_to is not None:
            raise AssertionError(f"the bot was not removed from group {chat_id}")
        self.bot_membership(group, "member", by)

    def bot_membership(self, group: GroupRecord, status: str, by: int | None) -> None:
        """Change the bot's status in `group` and queue the my_chat_member update."""
        old_member = self.chat_member(group.bot_status)
        group.bot_status = status
        change = {
            "chat": group.as_chat(),
            "from": self.actor(by),
            "date": int(time.time()),
            "old_chat_member": old_member,
            "new_chat_member": self.chat_member(status),
        }
        self.queue_update("my_chat_member", change)

    def chat_member(self, status: str) -> dict[str, Any]:
        """The bot's ChatMember object with that status."""
        member: dict[str, Any] = {"status": status, "user": self.bot_user()}
        if status == "kicked":
            member["until_date"] = 0
        return member

    # ------------------------------------------------------------ what people send

    def send_album(
        self,
        user_id: int,
        count: int = 3,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> list[int]:
        """Send `count` (2-10) photos as one album: one update per photo, one shared
        media_group_id, the caption on the first; returns the message ids."""
        if not 2 <= count <= 10:
            raise AssertionError("an album has 2-10 items")
        group_id = str(10**17 + next(self._serial))
        ids = []
        for position in range(count):
            record = self.new_file("photo")
            fields: dict[str, Any] = {
                "media_group_id": group_id,
                "photo": self.photo_sizes(record),
            }
            if caption is not None and position == 0:
                fields["caption"] = caption
            ids.append(self._inbound_message(user_id, fields, chat_id))
        return ids

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> None:
        """`user_id` edits their message (its text, or its caption for media): an
        `edited_message` update with the same message_id and an edit_date."""
        target = user_id if chat_id is None else chat_id
        original = self._inbound.get((target, message_id))
        if original is None or original.get("from", {}).get("id") != user_id:
            raise AssertionError(f"user {user_id} sent no message {message_id} in {target}")
        group = self.groups.get(target)
        if group is not None and group.access_error() is not None:
            raise AssertionError(f"the bot no longer receives messages of group {target}")
        edited = copy.deepcopy(original)
        key = "text" if "text" in edited else "caption"
        edited[key] = new_text
        edited.pop("entities" if key == "text" else "caption_entities", None)
        edited["edit_date"] = int(time.time())
        self._inbound[(target, message_id)] = edited
        self.queue_update("edited_message", edited)

    # ------------------------------------------------------------ redelivery

    def redeliver(self, *update_ids: int) -> None:
        """Deliver these updates again, same update_id and content, as Telegram does when
        their confirmation was lost: the next getUpdates returns them whatever its offset
        (then they are confirmed as usual), and a webhook gets them posted again.

        (A bot killed before its next getUpdates needs none of this: the fake, like
        Telegram, keeps every update until a later offset confirms it.)"""
        for update_id in update_ids:
            update = self.update_log.get(update_id)
            if update is None:
                raise AssertionError(f"no update {update_id} was ever queued")
            self._pinned.add(update_id)
            if any(queued["update_id"] == update_id for queued in self._updates):
                continue
            keys = [queued["update_id"] for queued in self._updates]
            self._updates.insert(bisect.bisect(keys, update_id), copy.deepcopy(update))
        self._signal.notify()

    def redeliver_last(self, count: int = 1) -> list[int]:
        """Redeliver the last `count` updates handed to the bot; returns their ids."""
        ids = self.delivered[-count:]
        self.redeliver(*ids)
        return ids
