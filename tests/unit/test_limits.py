"""Telegram's limits counted in Telegram's units (bot/limits.py)."""

from __future__ import annotations

from bot.limits import CALLBACK_ANSWER, FULL_NAME, MESSAGE_TEXT, clip_utf16, utf16_len
from storage.models import Request


def test_emoji_and_rare_ideographs_count_twice() -> None:
    assert utf16_len("路灯不亮") == 4
    assert utf16_len("😀") == 2 and utf16_len("𠀀") == 2
    assert len("😀" * 2048 + "a") <= MESSAGE_TEXT < utf16_len("😀" * 2048 + "a")


def test_clipping_never_splits_a_character() -> None:
    clipped = clip_utf16("😀" * 150, CALLBACK_ANSWER)
    assert utf16_len(clipped) <= CALLBACK_ANSWER and clipped.endswith("…")
    assert clipped[:-1] == "😀" * 99
    assert clip_utf16("短", CALLBACK_ANSWER) == "短"


def test_a_resident_name_column_holds_a_telegram_full_name() -> None:
    assert Request.__table__.c.resident_name.type.length >= FULL_NAME


def test_split_keeps_the_text_and_each_piece_fits() -> None:
    from bot.limits import split_utf16, utf16_len

    text = ("第一段落的文字。\n" * 300) + "😀" * 2000
    pieces = split_utf16(text, 3896)
    assert "".join(pieces) == text
    assert all(utf16_len(p) <= 3896 for p in pieces) and len(pieces) > 1
    assert pieces[0].endswith("\n")
    assert split_utf16("短", 10) == ["短"] and split_utf16("", 10) == [""]
