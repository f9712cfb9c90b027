"""Messages to show, as plain values: nothing of Telegram.

`Say` is what a use case returns for a message (a catalogue template and its values, not
yet rendered); `Reply` is the rendered message (HTML, escaped and localised) a handler sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

Buttons = tuple[tuple[tuple[str, str], ...], ...]   # rows of (label, callback data)


class Keyboard(StrEnum):
    """Reply keyboards under the input field; handlers/keyboards.py draws them."""

    PHOTOS = "photos"
    LOCATION = "location"
    CONTACT = "contact"
    REMOVE = "remove"


@dataclass(frozen=True)
class Say:
    """One message as a use case asks for it: a template from bot.notify.texts and its
    values (escaped at render time; a `Say` value renders in place), the inline buttons
    (catalogue labels, callback data) or the reply keyboard, and whether the person reads
    Traditional Chinese."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)
    buttons: Buttons = ()
    keyboard: Keyboard | None = None
    traditional: bool = False


@dataclass(frozen=True)
class Reply:
    """A rendered message; `traditional`: its reply keyboard is labelled in Traditional."""

    text: str
    buttons: Buttons = ()
    keyboard: Keyboard | None = None
    traditional: bool = False
    card_of: str | None = None   # a request's card (its number): once sent, a copy to keep
    card_base: str | None = None   # that card without its history, as a refreshed copy reads


def buttons_to_json(buttons: Buttons) -> list[list[list[str]]]:
    return [[[label, data] for label, data in row] for row in buttons]


@dataclass(frozen=True)
class Outcome:
    """What pressing a button leads to."""

    edit: Reply | Say | None = None          # new text (and buttons) of the pressed message
    buttons: Buttons | None = None           # new buttons only, the text stays
    replies: tuple[Reply | Say, ...] = ()    # new messages to the presser
    notice: str | None = None           # a short toast on the button
