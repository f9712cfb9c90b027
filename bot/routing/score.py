"""Keyword scores: per category, the summed weights of its distinct keywords found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.config import Category


@dataclass(frozen=True)
class KeywordScores:
    scores: tuple[float, ...]            # by category index
    hits: tuple[tuple[str, ...], ...]    # keywords found, by category index, in text order
    found: frozenset[str]                # every keyword found (any category)


class KeywordScorer:
    """Matches configured keywords among jieba tokens, and as substrings of the text.

    The substring pass catches a multi-character keyword jieba glued to its neighbour
    (e.g. 灯坏 inside 路灯坏了). A one-character keyword (坑, 狗, 树) counts as a token or
    inside a short token that is no keyword itself (大坑, 野狗, 棵树), never as a bare
    substring of the text, where it would hit across word boundaries and in long words.
    Area names are blanked first so that 社区 in 瑞祥社区 is not a community_affairs hit.
    """

    def __init__(self, categories: Sequence[Category], masked: Iterable[str] = ()) -> None:
        self.codes = tuple(c.code for c in categories)
        weights: dict[str, dict[int, float]] = {}
        for index, category in enumerate(categories):
            for keyword in category.keywords:
                word = keyword.word.lower()
                per_category = weights.setdefault(word, {})
                per_category[index] = max(per_category.get(index, 0.0), keyword.weight)
        self._weights = {word: tuple(per.items()) for word, per in weights.items()}
        self._substrings = tuple(w for w in self._weights if len(w) > 1)
        self._single = frozenset(w for w in self._weights if len(w) == 1)
        self._masked = tuple(sorted(set(masked), key=len, reverse=True))

    @property
    def words(self) -> list[str]:
        return list(self._weights)

    def weight(self, word: str, index: int) -> float:
        return dict(self._weights.get(word, ())).get(index, 0.0)

    def score(self, tokens: Sequence[str], text: str) -> KeywordScores:
        found = {t for t in tokens if t in self._weights}
        if self._single:
            found.update(c for t in tokens if 1 < len(t) <= 3 and t not in self._weights
                         for c in t if c in self._single)
        lowered = text.lower()
        for name in self._masked:
            if name in lowered:
                lowered = lowered.replace(name, " ")
        found.update(w for w in self._substrings if w not in found and w in lowered)
        scores = [0.0] * len(self.codes)
        hits: list[list[str]] = [[] for _ in self.codes]
        # Text order, so the staff read the matched words as the resident wrote them.
        for word in sorted(found, key=lambda w: (_position(lowered, w), -len(w))):
            for index, weight in self._weights[word]:
                scores[index] += weight
                hits[index].append(word)
        return KeywordScores(tuple(scores), tuple(tuple(h) for h in hits), frozenset(found))


def _position(text: str, word: str) -> int:
    at = text.find(word)
    return at if at >= 0 else len(text)
