"""Text normalisation before segmentation: jieba mis-splits Traditional and full-width text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# Emoji and pictographs, their modifiers (skin tones, variation selectors, ZWJ) and flags.
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong … symbols & pictographs extended-A
    "\U00002600-\U000027bf"  # misc symbols, dingbats
    "\U00002b00-\U00002bff"  # arrows, stars (⭐)
    "\U0000fe00-\U0000fe0f"  # variation selectors
    "\U0001f1e6-\U0001f1ff"  # regional indicators (flags)
    "\U000e0000-\U000e007f"  # tag characters
    "\u200d\u20e3\u2300-\u23ff"  # ZWJ, keycap, misc technical (⌛ ⏰)
    "]+"
)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _clean(text: str) -> str:
    """NFKC (full-width → half-width), emoji removed, whitespace collapsed and trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = _EMOJI.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Simplified, half-width, emoji-free, single-spaced text: what the router scores."""
    return _t2s().convert(_clean(text))


def prepare(text: str) -> tuple[str, bool]:
    """`normalise(text)` and whether the text was Traditional, converting only once."""
    cleaned = _clean(text)
    converted = _t2s().convert(cleaned)
    return converted, _looks_traditional(cleaned, converted)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def is_traditional(text: str) -> bool:
    """True when enough characters change under t2s to call the text Traditional."""
    return prepare(text)[1]


def _looks_traditional(cleaned: str, converted: str) -> bool:
    # A single converted character in a long Simplified text is usually a name (乾隆),
    # so at least 5% of the Han characters must change.
    if converted == cleaned:  # most texts: nothing to count
        return False
    if len(converted) != len(cleaned):  # phrase conversions rarely change length; compare safely
        return converted != cleaned
    han = sum(1 for c in cleaned if _is_han(c))
    changed = sum(1 for a, b in zip(cleaned, converted, strict=True) if a != b)
    return changed > 0 and changed >= 0.05 * han
