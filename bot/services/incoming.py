"""An incoming chat message, as the domain sees it (handlers build it from the update)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VOICE = "voice"
    LOCATION = "location"
    CONTACT = "contact"
    OTHER = "other"


@dataclass(frozen=True)
class Incoming:
    kind: Kind
    text: str | None = None             # the text, or a photo's caption
    file_id: str | None = None
    media_group: str | None = None      # photos sent together as an album
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    contact_user_id: int | None = None
    message_id: int | None = None       # Telegram's id of the message (edits name it)
    language: str | None = None         # the sender's Telegram language_code (zh-TW, en…)

    @property
    def plain(self) -> str:
        return (self.text or "").strip()
