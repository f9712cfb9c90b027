"""The report's reply keyboards as Telegram gets them."""

from __future__ import annotations

import pytest

from bot.notify.replies import Keyboard, Reply
from handlers.keyboards import keyboard_json


@pytest.mark.parametrize("kind", [Keyboard.PHOTOS, Keyboard.LOCATION, Keyboard.CONTACT])
def test_a_report_keyboard_hides_once_pressed(kind: Keyboard) -> None:
    shown = keyboard_json(Reply("问", keyboard=kind))
    assert shown is not None and shown["one_time_keyboard"] is True


def test_the_removal_is_telegrams_remove_keyboard() -> None:
    assert keyboard_json(Reply("好", keyboard=Keyboard.REMOVE)) == {"remove_keyboard": True}
