"""Keyword scores: per category, the weights of its keywords found, as often as found.

A long petition mentions many things in passing; the subject is what it keeps coming
back to, and is named first. So each keyword counts every time it is written, a
longer (more specific) keyword counts more than a two-character one, a word common in
general Chinese less than a rare one, a mention in the opening sentence more than one
further on (`opening_end`), a keyword naming an authority (教育局, 建设厅) twice
(`mentions`), and between categories of equal score the one named first wins
(`KeywordScores.first`).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import takewhile
from operator import itemgetter

from bot.config import Category
from bot.routing.pinyin import PinyinIndex

# jieba dictionary frequency from which a token is a word of its own: a one-character
# keyword inside it is no hit (电 in 电话 8354, 报 in 报纸 2719; 大坑 59 and 野狗 81 count).
COMMON_WORD_FREQ = 300
# A keyword longer than two characters says more (加装电梯, 养老保险 vs 电梯, 保险): each
# character beyond two adds this share of its weight.
LONG_KEYWORD_BONUS = 0.25

# Default `rarity`: a keyword common in general Chinese (建设, 文化, 市场: jieba's
# frequency, not our data) says less than a rare one (黑臭, 预付卡); one mention counts
# 1 / (1 + rarity × ln(1 + frequency / 100)) of its weight (0.63 for 文化, 1 for 驾校).
RARITY_SLOPE = 0.1

# The subject is named first: a mention in the opening sentence (up to the first 。！？
# or line break, at most OPENING_CHARS characters) counts 1 + OPENING_BONUS mentions.
OPENING_CHARS = 60
OPENING_BONUS = 0.5
# A keyword followed by an authority's suffix names the authority the resident writes to
# or about (教育局, 建设厅, 卫健委, 人社部门): that mention counts AUTHORITY_FACTOR times.
AUTHORITY_FACTOR = 2.0
_AUTHORITY = re.compile(r"厅|局|委|部门|办")
_OPENING_END = re.compile(r"[。！？!?\n]")

# Homophone typos are looked for in this many characters from the start of a text.
PINYIN_HEAD_CHARS = 120


def opening_end(text: str) -> int:
    """Where the opening sentence of `text` ends (an index, at most OPENING_CHARS); 0
    when nothing follows it (a one-sentence message is all opening: no bonus)."""
    end = _OPENING_END.search(text, 0, OPENING_CHARS)
    at = end.start() if end else min(len(text), OPENING_CHARS)
    return at if text[at:].strip("。！？!? \n") else 0


def mentions(text: str, word: str, opening: int) -> float:
    """How many mentions `word` counts for in `text` (lower-cased, area names blanked):
    each occurrence of a multi-character keyword once, ×(1 + OPENING_BONUS) before
    `opening`, ×AUTHORITY_FACTOR when an authority's suffix follows it (教育局); a
    one-character keyword only once (counting it would count it inside other words),
    by its first occurrence. A word not written as such (found as a token) counts 1."""
    total, at = 0.0, text.find(word)
    while at >= 0:
        mention = 1.0 + OPENING_BONUS if at < opening else 1.0
        if _AUTHORITY.match(text, at + len(word)):
            mention *= AUTHORITY_FACTOR
        total += mention
        if len(word) == 1:
            break
        at = text.find(word, at + len(word))
    return total or 1.0


def specificity(word: str, general_frequency: int = 0, rarity: float = 0.0) -> float:
    """How much one mention of `word` counts per unit of its configured weight: more for
    a longer keyword and, with `rarity` > 0, less for one whose `general_frequency`
    (jieba's, in general Chinese) is high."""
    common = 1.0 / (1.0 + rarity * math.log1p(max(0, general_frequency) / 100))
    return (1.0 + LONG_KEYWORD_BONUS * max(0, len(word) - 2)) * common




@dataclass(frozen=True)
class KeywordScores:
    scores: tuple[float, ...]            # by category index
    hits: tuple[tuple[str, ...], ...]    # keywords found, by category index, in text order
    found: frozenset[str]                # every keyword found (any category)
    # Keywords heard through a homophone typo, as (keyword, what the resident wrote):
    # 路等 for 路灯. They count `pinyin` × their weight and are also in `found`.
    heard: tuple[tuple[str, str], ...] = ()
    # Position of each category's first hit (len(text) + 1 when none): the tie-break.
    first: tuple[int, ...] = ()
    # Keywords that counted other than once (written again, in the opening sentence,
    # naming an authority: `mentions`), and how many mentions they counted for.
    times: tuple[tuple[str, float], ...] = ()

    def mentions(self, word: str) -> int:
        """How many mentions `word` counted for (1 for a keyword found once, in no
        opening sentence, or heard)."""
        return dict(self.times).get(word, 1)

    def written(self, word: str) -> str:
        """`word` as the staff should read it: 路等(路灯) for a homophone hit."""
        for keyword, span in self.heard:
            if keyword == word:
                return f"{span}({keyword})"
        return word


class KeywordScorer:
    """Matches configured keywords among jieba tokens, and as substrings of the text.

    The substring pass catches a multi-character keyword jieba glued to its neighbour
    (e.g. 灯坏 inside 路灯坏了), but not one that merely straddles two common words
    (调解 across 协调 / 解决 in 协调解决). A one-character keyword (坑, 狗, 树) counts as a token or
    inside a short token that is no keyword itself and no common word of its own (大坑,
    野狗, 棵树 count; 电话, 报告, 生活 do not: 电 / 报 / 活 there mean nothing), never as
    a bare substring of the text, where it would hit across word boundaries and in long
    words. `frequency` gives jieba's dictionary frequency of a token; a token at least
    `common` frequent is a word in its own right. Area names are blanked first so that
    社区 in 瑞祥社区 is not a community_affairs hit.

    With `pinyin`, a multi-character keyword not found as written is also heard in a
    span of the text that reads the same in toneless pinyin (路等 / 路登 for 路灯, 下水到
    for 下水道: the homophone typos of pinyin input methods), at its
    weight × `pinyin` (0: off); see `PinyinIndex` for the spans that never count.
    """

    def __init__(self, categories: Sequence[Category], masked: Iterable[str] = (),
                 frequency: Callable[[str], int] | None = None,
                 common: int = COMMON_WORD_FREQ, pinyin: float = 0.0,
                 general: Callable[[str], int] | None = None, rarity: float = 0.0) -> None:
        self.codes = tuple(c.code for c in categories)
        weights: dict[str, dict[int, float]] = {}
        for index, category in enumerate(categories):
            for keyword in category.keywords:
                word = keyword.word.lower()
                per_category = weights.setdefault(word, {})
                per_category[index] = max(per_category.get(index, 0.0), keyword.weight)
        self._weights = {word: tuple(per.items()) for word, per in weights.items()}
        self._substrings = tuple(w for w in self._weights if len(w) > 1)
        # Multi-character keywords by their first character: a text is searched only for
        # those whose first character it holds (a set intersection instead of a scan each).
        self._by_first: dict[str, tuple[str, ...]] = {}
        for word in self._substrings:
            self._by_first[word[0]] = (*self._by_first.get(word[0], ()), word)
        self._single = frozenset(w for w in self._weights if len(w) == 1)
        self._masked = tuple(sorted(set(masked), key=len, reverse=True))
        self._frequency = frequency
        self._common = common
        self._inside: dict[str, tuple[str, ...]] = {}  # token -> single keywords it holds
        self._pinyin = PinyinIndex(self._substrings) if pinyin > 0 else None
        self._pinyin_factor = pinyin
        self._specificity = {w: specificity(w, general(w) if general is not None else 0,
                                            rarity) for w in self._weights}

    @property
    def words(self) -> list[str]:
        return list(self._weights)

    def weight(self, word: str, index: int) -> float:
        return dict(self._weights.get(word, ())).get(index, 0.0)

    def points(self, word: str, index: int) -> float:
        """What one mention of `word` adds to category `index` (weight × specificity)."""
        return self.weight(word, index) * self._specificity.get(word, 1.0)

    def score(self, spans: Sequence[tuple[int, int, str]], text: str) -> KeywordScores:
        """The keyword scores of normalised `text`, segmented into `spans` ((start, end,
        token) in order, `Segmenter.spans`)."""
        tokens = [token for _, _, token in spans]
        found = {t for t in tokens if t in self._weights}
        if self._single:
            inside = self._inside.get   # cached: most tokens were seen before
            for token in tokens:
                if 1 < len(token) <= 3 and token not in self._weights:
                    singles = inside(token)
                    if singles is None:
                        singles = self._singles_inside(token)
                    if singles:
                        found.update(singles)
        lowered = text.lower()
        for name in self._masked:
            if name in lowered:  # same length, so token offsets stay valid
                lowered = lowered.replace(name, " " * len(name))
        by_first = self._by_first
        for word in (w for c in by_first.keys() & set(lowered) for w in by_first[c]):
            if word in found or word not in lowered:
                continue
            if not self._straddles(word, lowered, spans):
                found.add(word)
        heard: dict[str, tuple[int, str]] = {}
        if self._pinyin is not None:
            # Only the opening: a typo matters where the subject is named, and listening
            # for homophones through a whole petition costs more than segmenting it.
            head = lowered[:PINYIN_HEAD_CHARS]
            size = len(head)
            head_spans = list(takewhile(lambda span: span[1] <= size, spans))
            heard = self._pinyin.heard(head, found, head_spans, self._is_typo_piece)
        scores = [0.0] * len(self.codes)
        first = [len(text) + 1] * len(self.codes)
        hits: list[list[str]] = [[] for _ in self.codes]
        # A multi-character keyword counts each time it is written (area names blanked);
        # a one-character one once: counting it would count it inside other words.
        opening = opening_end(lowered)
        times = {w: mentions(lowered, w, opening) for w in found}
        # Text order, so the staff read the matched words as the resident wrote them.
        ordered = [(_position(lowered, w), -len(w), w, times[w]) for w in found]
        ordered += [(at, -len(w), w, self._pinyin_factor) for w, (at, _) in heard.items()]
        for at, _, word, factor in sorted(ordered):
            for index, weight in self._weights[word]:
                scores[index] += weight * factor * self._specificity[word]
                first[index] = min(first[index], at)
                hits[index].append(word)
        return KeywordScores(tuple(scores), tuple(tuple(h) for h in hits),
                             frozenset(found | heard.keys()),
                             tuple((w, span) for w, (_, span) in heard.items()),
                             tuple(first), tuple(sorted((w, n) for w, n in times.items()
                                                        if n != 1)))

    def _is_typo_piece(self, token: str) -> bool:
        """Whether `token` may be part of a homophone typo: one character, a keyword, or
        no word jieba knows (不良 is 不良 and 午夜 午夜, never a mistyped 不亮 or 物业;
        电题 and 登坏 are jieba's guesses at words it does not know)."""
        return len(token) == 1 or token in self._weights or not (
            self._frequency is not None and self._frequency(token) > 0)

    def _straddles(self, word: str, text: str, spans: Sequence[tuple[int, int, str]]) -> bool:
        """True when every occurrence of `word` in `text` starts inside one common word
        and ends inside another (so it is the tail of one word and the head of the next,
        not a word the resident wrote). A keyword token at either end keeps the hit."""
        at = text.find(word)
        while at >= 0:
            first = _covering(spans, at)
            last = _covering(spans, at + len(word) - 1)
            if (first is None or last is None or first is last or first[0] == at
                    or last[1] == at + len(word)
                    or not self._is_common(first[2]) or not self._is_common(last[2])):
                return False
            at = text.find(word, at + 1)
        return True

    def _is_common(self, token: str) -> bool:
        return (token not in self._weights and self._frequency is not None
                and self._frequency(token) >= self._common)

    def _singles_inside(self, token: str) -> tuple[str, ...]:
        cached = self._inside.get(token)
        if cached is None:
            common = (self._frequency is not None
                      and self._frequency(token) >= self._common)
            cached = () if common else tuple(c for c in token if c in self._single)
            if len(self._inside) < 100_000:
                self._inside[token] = cached
        return cached


def _covering(spans: Sequence[tuple[int, int, str]],
              at: int) -> tuple[int, int, str] | None:
    """The span holding offset `at`, if any (`spans` in order, not overlapping)."""
    index = bisect_right(spans, at, key=itemgetter(0)) - 1
    return spans[index] if index >= 0 and at < spans[index][1] else None


def _position(text: str, word: str) -> int:
    at = text.find(word)
    return at if at >= 0 else len(text)
