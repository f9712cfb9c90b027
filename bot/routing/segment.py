"""jieba segmentation with a user dictionary of every configured keyword.

One `jieba.Tokenizer` per router, built once: `add_word` is not thread-safe and the
dictionary takes ~0.6 s to load. Its cache lives in the bot's data directory.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from pathlib import Path

with warnings.catch_warnings():
    # jieba imports pkg_resources, deprecated on new setuptools (breaks `-W error`).
    warnings.simplefilter("ignore")
    import jieba

jieba.setLogLevel(logging.WARNING)

# Tokens that carry no meaning for routing: punctuation and spaces.
_SKIP = frozenset(" \t\n,.!?;:、，。！？；：…~·'\"“”‘’()（）[]【】《》<>-—_/\\|@#$%^&*+=")


class Segmenter:
    """A private jieba tokenizer whose dictionary keeps `words` whole."""

    def __init__(self, data_dir: Path, words: Iterable[str]) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = str(data_dir)
        tokenizer.cache_file = "jieba.cache"
        tokenizer.initialize()
        self._tokenizer = tokenizer
        self._general: dict[str, int] = {}
        self.add_words(words)

    def add_words(self, words: Iterable[str]) -> None:
        """Keep `words` whole from now on (call before the segmenter is shared)."""
        tokenizer = self._tokenizer
        new = set(words) - self._general.keys()
        # What the general dictionary says of each word before ours raises it.
        self._general.update({word: tokenizer.FREQ.get(word) or 0 for word in new})
        # Shortest first: a long term's frequency must beat its parts' final frequencies.
        for word in sorted(new, key=len):
            if len(word) > 1:
                tokenizer.add_word(word, freq=tokenizer.suggest_freq(word, tune=False))

    def split(self, text: str) -> list[str]:
        """Every piece of `text` as jieba segments it (punctuation included, no HMM)."""
        return list(self._tokenizer.cut(text, HMM=False))

    def frequency(self, word: str) -> int:
        """jieba's dictionary frequency of `word` (0 for a word it does not know)."""
        return self._tokenizer.FREQ.get(word) or 0

    def general_frequency(self, word: str) -> int:
        """jieba's frequency of `word` in general Chinese, before the configured words were
        added (0 for a word the general dictionary does not know)."""
        general = self._general.get(word)
        return general if general is not None else self.frequency(word)

    def tokens(self, text: str) -> list[str]:
        """Meaningful tokens of already normalised text (lower-case, no punctuation)."""
        return [token for _, _, token in self.spans(text)]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, token) of each meaningful token of already normalised `text`, in
        order: the token lower-cased, no punctuation, and where it lies in `text` (jieba's
        pieces cover the text end to end, so the offsets come from their lengths).

        Dictionary words only (jieba without its HMM): a word jieba does not know comes
        out as single characters, which the model sees anyway as character n-grams, and
        the HMM's guesses cost more than half of segmentation time.
        """
        spans, at = [], 0
        for piece in self._tokenizer.cut(text, HMM=False):
            end = at + len(piece)
            if piece not in _SKIP:   # normalised: the only whitespace left is " "
                spans.append((at, end, piece.lower()))
            at = end
        return spans
