"""Telegram's size limits, in Telegram's units.

Telegram counts text lengths in UTF-16 code units (https://core.telegram.org/api/entities:
"lengths are in UTF-16 code units"): a character outside the Basic Multilingual Plane — most
emoji, rare CJK ideographs (Extension B and later) — counts twice. Python's `len` counts code
points, so a card full of emoji can pass `len(text) <= 4096` and still be refused. Callback
data is counted in bytes (UTF-8). Every check that protects one of these limits goes through
here. Imports nothing: every layer may use it.
"""

from __future__ import annotations

MESSAGE_TEXT = 4096          # sendMessage text, after entities parsing (UTF-16 units)
CAPTION = 1024               # photo / voice / album captions (UTF-16 units)
CALLBACK_DATA_BYTES = 64     # an inline button's callback_data, 1-64 bytes
CALLBACK_ANSWER = 200        # answerCallbackQuery text, 0-200 characters (UTF-16 units)
FULL_NAME = 64 + 1 + 64      # first_name (1-64) + " " + last_name (0-64)


def utf16_len(text: str) -> int:
    """Length of `text` as Telegram counts it: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def clip_utf16(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` UTF-16 units, ending in `ellipsis` when cut; never splits
    a character."""
    if utf16_len(text) <= limit:
        return text
    room = limit - utf16_len(ellipsis)
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            return text[:index] + ellipsis
    return text + ellipsis   # unreachable: the text was too long


def split_utf16(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` UTF-16 units each, cut after a newline (else after
    a sentence's end) near the end of a piece where there is one; joined, the pieces are
    `text` again. Serves Telegram's 4096-unit message limit for texts kept whole."""
    pieces: list[str] = []
    while utf16_len(text) > limit:
        cut = len(clip_utf16(text, limit, ellipsis=""))
        window = text[cut // 2:cut]
        for mark in ("\n", "。", "！", "？", ". "):
            at = window.rfind(mark)
            if at >= 0:
                cut = cut // 2 + at + len(mark)
                break
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text or not pieces else pieces
