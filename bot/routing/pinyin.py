"""Keywords heard through homophone typos: residents type with pinyin input methods and
pick the wrong character of the right sound (路等 / 路登 for 路灯, 下水到 for 下水道, 电题
for 电梯). pypinyin ships its own dictionary; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise

from pypinyin import Style, lazy_pinyin, pinyin

_READINGS: dict[str, str | None] = {}  # character -> its usual toneless reading

# The commonest function characters: as the one character that differs from a keyword
# they are grammar, not a typo (站的 is no 占地, 是能 no 失能, 谁管 no 水管). 等 and 到
# are left out: 路等 and 下水到 are the typos this is for.
FUNCTION_CHARS = frozenset(
    "的地得了着过是也都就还又再才只很太更最在和与跟同把被给让对从向往为以于我你他她它们"
    "这那哪谁什么啥怎个一不没有说想要会能可吗呢吧啊呀哦嘛里上下去来看全越")


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def reading(char: str) -> str | None:
    """The usual toneless reading of a Han character (行: xing), None for others.

    Only the usual one: pypinyin also lists rare readings (穿 yuan, 占 tie) that would
    let unrelated characters sound alike.
    """
    cached = _READINGS.get(char, "")
    if cached == "":
        cached = (pinyin(char, style=Style.NORMAL)[0][0] if _is_han(char) else None)
        _READINGS[char] = cached
    return cached


def syllables(word: str) -> tuple[str, ...] | None:
    """Toneless pinyin of an all-Han `word`, read as a phrase (银行: yin hang); else None."""
    if not word or not all(_is_han(c) for c in word):
        return None
    result = lazy_pinyin(word, style=Style.NORMAL)
    return tuple(result) if len(result) == len(word) else None


def token_pinyin(token: str) -> str | None:
    """One feature-friendly spelling of `token`'s pinyin (lu_deng), None if not all Han."""
    if not token or not all(_is_han(c) for c in token):
        return None
    return "_".join(reading(c) or c for c in token)


class PinyinIndex:
    """Multi-character keywords by their toneless pinyin (路灯: lu deng)."""

    def __init__(self, words: Iterable[str]) -> None:
        index: dict[tuple[str, ...], list[str]] = {}
        for word in sorted(set(words), key=lambda w: (-len(w), w)):  # longest first
            sounds = syllables(word)
            if sounds is not None and len(sounds) > 1:
                index.setdefault(sounds, []).append(word)
        self._index = {sounds: tuple(words) for sounds, words in index.items()}
        self._lengths = sorted({len(sounds) for sounds in index}, reverse=True)
        # Every keyword's first two syllables: most positions of a text start none, and
        # one set lookup rules them out before any longer span is built.
        self._heads = frozenset(sounds[:2] for sounds in index)

    def __len__(self) -> int:
        return sum(map(len, self._index.values()))

    def heard(self, text: str, found: Iterable[str], spans: Sequence[tuple[int, int, str]],
              is_piece: Callable[[str], bool]) -> dict[str, tuple[int, str]]:
        """Keywords not in `found` whose pinyin a span of `text` has, as written but
        for one character: keyword -> (start, span as written), the first such span of
        each keyword.

        A span never counts when it
        - differs from the keyword in more than one character (a typo is one wrong pick
          of the input method; two or more are other words), or in a function character
          (`FUNCTION_CHARS`),
        - is a word jieba knows (`is_piece` False: 排在 is no mistyped 摆在),
        - overlaps a keyword found as written, unless it holds all of it and more
          (路灯 found: 灯不 is not looked at again; 下水到 around 下水 may be 下水道),
        - overlaps a token for which `is_piece` is False (a word of its own: 不良 is
          not a mistyped 不亮, 午夜 not 物业), or
        - follows a digit (23路等了: a bus line, then 等, not a mistyped 路灯).
        """
        known = _READINGS.get   # a character read before: no call to `reading`
        sounds = [known(c, "") for c in text]
        for at in [at for at, sound in enumerate(sounds) if sound == ""]:
            sounds[at] = reading(text[at])
        found = set(found)
        hits: list[tuple[int, int]] | None = None  # keywords found as written
        result: dict[str, tuple[int, str]] = {}
        size = len(text)
        heads = self._heads
        for start, pair in enumerate(pairwise(sounds)):
            if pair not in heads or (start and text[start - 1].isdigit()):
                continue
            for length in self._lengths:
                end = start + length
                if end > size:
                    continue
                words = self._index.get(tuple(sounds[start:end]))  # type: ignore[arg-type]
                if words is None:
                    continue
                span = text[start:end]
                for word in words:
                    if word in found or word in result:
                        continue
                    wrong = [span[i] for i in range(length) if span[i] != word[i]]
                    if len(wrong) != 1 or wrong[0] in FUNCTION_CHARS or not is_piece(span):
                        continue
                    if hits is None:
                        hits = _occurrences(text, found)
                    if _clear_of(start, end, hits) and _whole(start, end, spans, is_piece):
                        result[word] = (start, span)
        return result


def _occurrences(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of each multi-character word in `text`."""
    out = []
    for word in words:
        if len(word) > 1:
            at = text.find(word)
            while at >= 0:
                out.append((at, at + len(word)))
                at = text.find(word, at + 1)
    return out


def _clear_of(start: int, end: int, hits: Sequence[tuple[int, int]]) -> bool:
    """No found keyword overlaps [start, end), but for one the span holds whole with
    room to spare (下水到, a mistyped 下水道, around the 下水 found as written)."""
    for first, last in hits:
        if first < end and last > start and not (start <= first and last <= end
                                                 and last - first < end - start):
            return False
    return True


def _whole(start: int, end: int, spans: Sequence[tuple[int, int, str]],
           is_piece: Callable[[str], bool]) -> bool:
    for first, last, token in spans:
        if first >= end:
            break
        if last > start and not is_piece(token):
            return False
    return True
