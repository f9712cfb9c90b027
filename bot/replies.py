"""What a use case asks the handler to show: text plus a keyboard, nothing of Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

Buttons = tuple[tuple[tuple[str, str], ...], ...]   # rows of (label, callback data)


class Keyboard(StrEnum):
    """Reply keyboards under the input field; handlers/keyboards.py draws them."""

    PHOTOS = "photos"
    LOCATION = "location"
    CONTACT = "contact"
    REMOVE = "remove"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Buttons = ()
    keyboard: Keyboard | None = None


def buttons_from_json(rows: list[list[list[str]]] | None) -> Buttons:
    return tuple(tuple((label, data) for label, data in row) for row in rows or ())


def buttons_to_json(buttons: Buttons) -> list[list[list[str]]]:
    return [[[label, data] for label, data in row] for row in buttons]


@dataclass(frozen=True)
class Outcome:
    """What pressing a button leads to."""

    edit: Reply | None = None           # new text (and buttons) of the pressed message
    buttons: Buttons | None = None      # new buttons only, the text stays
    replies: tuple[Reply, ...] = ()     # new messages to the presser
    notice: str | None = None           # a short toast on the button
