"""A linear model learned from routed requests (dispatchers' choices and corrections).

What the model sees of a text (`Features`): jieba words, the Han characters with their
bigrams and trigrams (characters carry what segmentation splits wrongly: unknown names,
typos, glued words), and the keyword hits per category. Training weighs them by tf-idf
and fits a linear SVM with balanced class weights (scikit-learn), then a softmax
temperature on held-out examples, so that its probabilities mean what they say. A second
head over the same features learns from the short spans of the examples (`titles`): a
short text (a title, a chat message) is judged by both heads, averaged.

Prediction is a few numpy operations on the stored arrays (character n-grams are looked
up as integers, never as strings), so classifying stays cheap, and the stored model is
plain arrays and JSON: never a pickle.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from bot.routing.titles import short_spans

_MAGIC = b"LIANXIN-ROUTING-MODEL\n"
# Bump when `features` or the stored layout changes: an old model is then refused
# (ValueError) instead of silently scoring different features; the app retrains.
# Version 5 added the short-text head; a version 4 model (the same features, no such
# head) still loads and judges short texts by its one head.
FORMAT_VERSION = 5
_READABLE_VERSIONS = (4, 5)
# The most frequent features kept: ~4 MB of float32 weights a head for seven categories.
# Classifying is mostly cache misses on these arrays outside jieba: 140k instead of 200k
# was 6% faster on the corpus at the same macro-F1 (5 folds, argmax: 0.913 vs 0.912).
_MAX_FEATURES = 140_000
_BITS = 21               # a Unicode code point fits in 21 bits: three make one n-gram key
_DEFAULT_TEMPERATURE = 5.0  # too few examples to calibrate: an SVM margin of 1 ≈ e^5 odds
_CALIBRATION_MIN = 200      # examples from which a held-out share calibrates the scores


@dataclass(frozen=True)
class Features:
    """What the model sees of one text: word features and Han n-gram keys.

    `words` are strings (`w<token>`, `w#` for a number, `k<category>` per keyword hit);
    `chars` are the text's Han characters, bigrams and trigrams as integer keys
    (see `char_keys`), so that counting and looking them up is done by numpy.
    """

    words: tuple[str, ...]
    chars: np.ndarray = field(compare=False, repr=False)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Features) and self.words == other.words
                and np.array_equal(np.sort(self.chars), np.sort(other.chars)))

    def __hash__(self) -> int:
        return hash(self.words)


def char_keys(text: str) -> np.ndarray:
    """The Han characters, bigrams and trigrams of `text` as uint64 keys.

    A key packs up to three code points of 21 bits each (first character lowest); an
    n-gram never spans a non-Han character, so 路灯 in 路灯,坏了 is no 灯坏.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    han = ((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x3400) & (codes <= 0x4DBF))
    two = han[:-1] & han[1:]
    three = two[:-1] & han[2:]
    return np.concatenate([
        codes[han],
        codes[:-1][two] | (codes[1:][two] << np.uint64(_BITS)),
        codes[:-2][three] | (codes[1:-1][three] << np.uint64(_BITS))
        | (codes[2:][three] << np.uint64(2 * _BITS)),
    ])


def key_text(key: int) -> str:
    """The characters a `char_keys` key stands for (for explanations)."""
    chars = []
    while key:
        chars.append(chr(key & ((1 << _BITS) - 1)))
        key >>= _BITS
    return "".join(chars)


def features(tokens: Sequence[str], text: str,
             keyword_hits: Sequence[tuple[str, int]] = ()) -> Features:
    """What the model sees: jieba tokens, Han n-grams of `text`, keyword evidence.

    Numbers are folded (addresses and phone numbers are noise). The keyword hits per
    category (`k<code>`, once per hit) let the model learn how far to trust each
    category's keywords: a prior, never a veto.
    """
    words = ["w#" if t.isdigit() else "w" + t for t in tokens]
    for code, count in keyword_hits:
        words.extend(["k" + code] * count)
    return Features(tuple(words), char_keys(text))


@dataclass(frozen=True, eq=False)
class Vector:
    """The tf-idf vector of one text in a model's terms (`LearnedModel.vector`): computed
    once, it serves both the probabilities and the explanation."""

    rows: np.ndarray        # the model's rows of the features it knows
    values: np.ndarray      # their tf-idf values, l2-normalised
    table: np.ndarray       # those rows of the model's `_table` (weights, idf)


@dataclass(frozen=True, eq=False)
class Head:
    """A second set of linear scores over a model's features (rows as its `weights`)."""

    weights: np.ndarray                 # (n_features, n_classes) float32
    bias: np.ndarray                    # (n_classes,) float32
    temperature: float


@dataclass(frozen=True, eq=False)
class LearnedModel:
    """Linear scores over tf-idf features, softmax with a calibrated temperature.

    Rows of `weights` and `idf`: first one per entry of `words` (in its order), then one
    per key of `chars` (sorted ascending). `short`, when present, scores short texts too.
    """

    classes: tuple[str, ...]            # category codes, one column each
    words: dict[str, int]               # word feature -> row
    chars: np.ndarray                   # (n_chars,) uint64, sorted: row = len(words) + index
    idf: np.ndarray                     # (n_features,) float32
    weights: np.ndarray                 # (n_features, n_classes) float32
    bias: np.ndarray                    # (n_classes,) float32
    counts: dict[str, int]              # examples learned per class
    temperature: float = _DEFAULT_TEMPERATURE
    short: Head | None = None           # learned from short spans (None: format 4)
    format_version: ClassVar[int] = FORMAT_VERSION

    def __post_init__(self) -> None:
        names = [""] * len(self.words)
        for name, row in self.words.items():
            names[row] = name
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_identity", None)
        # Derived, never stored: one row per feature with its weights (both heads) and its
        # idf, so that a text's features cost one scattered read each, not two or three
        # (outside jieba, classifying is mostly cache misses: 3% faster on the corpus).
        heads = [self.weights] + ([self.short.weights] if self.short is not None else [])
        object.__setattr__(self, "_table", np.ascontiguousarray(
            np.hstack([*heads, self.idf[:, None]]), dtype=np.float32))

    @property
    def identity(self) -> str:
        """A short hash of the stored bytes: two instances holding the same model agree."""
        cached: str | None = self._identity  # type: ignore[attr-defined]
        if cached is None:
            cached = _digest(self.to_bytes())
            object.__setattr__(self, "_identity", cached)
        return cached

    def probabilities(self, feats: Features | Vector, short: bool = False) -> np.ndarray:
        """P(class | text), in `classes` order (the bias alone when no feature is known),
        from the text's features or their `vector`.

        With `short` (a title or chat message, `titles.is_short`) and a short-text head,
        the mean of the two heads' calibrated probabilities.
        """
        vector = self._of(feats)
        n = len(self.classes)
        main = _softmax(self.temperature * (self.bias + vector.values @ vector.table[:, :n]))
        if not short or self.short is None:
            return main
        head = self.short
        return (main + _softmax(head.temperature * (
            head.bias + vector.values @ vector.table[:, n:2 * n]))) / 2

    def scores(self, feats: Features) -> np.ndarray:
        """The linear (uncalibrated) score of each class."""
        vector = self.vector(feats)
        return self.bias + vector.values @ vector.table[:, :len(self.classes)]

    def contributions(self, feats: Features | Vector,
                      column: int) -> Iterator[tuple[str, float]]:
        """Features that pushed towards class `column`, strongest first (for 'why'):
        `w<word>`, `k<category>` or `c<characters>`. Lazy: a reader of the first few
        names pays for those only."""
        vector = self._of(feats)
        parts = vector.values * vector.table[:, column]
        for i in np.argsort(-parts, kind="stable"):
            if parts[i] <= 0:
                return
            yield self._name(int(vector.rows[i])), float(parts[i])

    def _of(self, feats: Features | Vector) -> Vector:
        return feats if isinstance(feats, Vector) else self.vector(feats)

    def _name(self, row: int) -> str:
        names: list[str] = self._names  # type: ignore[attr-defined]
        if row < len(names):
            return names[row]
        return "c" + key_text(int(self.chars[row - len(names)]))

    def vector(self, feats: Features) -> Vector:
        """The rows of the features of `feats` the model knows, their tf-idf values (as at
        training: sublinear tf, l2-normalised) and their rows of `_table`."""
        row_of = self.words.get
        rows: list[int] = []
        tf: list[int] = []
        for word, count in Counter(feats.words).items():
            row = row_of(word)
            if row is not None:
                rows.append(row)
                tf.append(count)
        all_rows = np.asarray(rows, dtype=np.intp)
        all_tf = np.asarray(tf, dtype=np.float64)
        if len(self.chars) and len(feats.chars):
            keys, counts = np.unique(feats.chars, return_counts=True)
            at = np.searchsorted(self.chars, keys)
            at[at == len(self.chars)] = 0   # past the last key: compared below, never equal
            known = self.chars[at] == keys
            all_rows = np.concatenate([all_rows, at[known] + len(self.words)])
            all_tf = np.concatenate([all_tf, counts[known]])
        table = np.take(self._table, all_rows, axis=0)  # type: ignore[attr-defined]
        if not len(all_rows):
            return Vector(all_rows, all_tf, table)
        values = (1.0 + np.log(all_tf)) * table[:, -1]
        values /= np.sqrt(values @ values)
        return Vector(all_rows, values, table)

    # -- persistence: magic, version, JSON header, zlib-compressed little-endian arrays --

    def to_bytes(self) -> bytes:
        """The stored form: the same model always gives the same bytes."""
        names: list[str] = self._names  # type: ignore[attr-defined]
        header = json.dumps({"classes": list(self.classes), "words": names,
                             "counts": self.counts, "temperature": self.temperature,
                             "short_temperature": None if self.short is None
                             else self.short.temperature},
                            ensure_ascii=False, sort_keys=True).encode()
        body = io.BytesIO()
        body.write(struct.pack("<I", len(header)))
        body.write(header)
        np.save(body, np.ascontiguousarray(self.chars, dtype="<u8"), allow_pickle=False)
        arrays = [self.idf, self.weights, self.bias]
        if self.short is not None:
            arrays += [self.short.weights, self.short.bias]
        for array in arrays:
            np.save(body, np.ascontiguousarray(array, dtype="<f4"), allow_pickle=False)
        return _MAGIC + struct.pack("<I", FORMAT_VERSION) + zlib.compress(body.getvalue(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> LearnedModel:
        """Load what `to_bytes` wrote; anything else raises ValueError (never unpickles)."""
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 4:
            raise ValueError("not a Lianxin routing model")
        (version,) = struct.unpack_from("<I", data, len(_MAGIC))
        if version not in _READABLE_VERSIONS:
            raise ValueError(f"routing model format {version} is not {FORMAT_VERSION}: retrain")
        try:
            body = io.BytesIO(zlib.decompress(data[len(_MAGIC) + 4:]))
            (size,) = struct.unpack("<I", body.read(4))
            header = json.loads(body.read(size).decode())
            chars, idf, weights, bias = (np.load(body, allow_pickle=False) for _ in range(4))
            classes = tuple(header["classes"])
            names = header["words"]
            temperature = float(header["temperature"])
            counts = {str(k): int(v) for k, v in header["counts"].items()}
            short_temperature = header.get("short_temperature")
            short = None
            if short_temperature is not None:
                short_weights, short_bias = (np.load(body, allow_pickle=False) for _ in range(2))
                short = Head(np.ascontiguousarray(short_weights, dtype=np.float32),
                             short_bias.astype(np.float32), float(short_temperature))
        except (zlib.error, struct.error, ValueError, OSError, KeyError, TypeError) as exc:
            raise ValueError(f"damaged routing model: {exc}") from None
        rows = len(names) + len(chars)
        heads = [(weights, bias)] + ([(short.weights, short.bias)] if short is not None else [])
        if (idf.shape != (rows,) or chars.dtype.kind != "u"
                or any(w.shape != (rows, len(classes)) or b.shape != (len(classes),)
                       for w, b in heads)):
            raise ValueError("damaged routing model: array shapes do not match its header")
        model = cls(classes=classes, words={n: i for i, n in enumerate(names)},
                    chars=chars.astype(np.uint64), idf=idf.astype(np.float32),
                    weights=np.ascontiguousarray(weights, dtype=np.float32),
                    bias=bias.astype(np.float32), counts=counts, temperature=temperature,
                    short=short)
        object.__setattr__(model, "_identity", _digest(data))
        return model


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


# -- training ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    words: list[str]
    chars: np.ndarray   # sorted keys
    idf: np.ndarray

    def row_of_words(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}


def _vocabulary(documents: Sequence[Features], max_features: int) -> _Vocabulary:
    """Features in at least 2 documents (1 while there are fewer than 1000), the
    `max_features` most frequent kept; smoothed idf as scikit-learn computes it."""
    min_df = 2 if len(documents) >= 1000 else 1
    word_df: Counter[str] = Counter()
    for doc in documents:
        word_df.update(set(doc.words))
    keys, char_df = np.unique(np.concatenate(
        [np.unique(doc.chars) for doc in documents] or [np.empty(0, np.uint64)]),
        return_counts=True)
    words = sorted((w for w, n in word_df.items() if n >= min_df),
                   key=lambda w: (-word_df[w], w))
    keep = char_df >= min_df
    keys, char_df = keys[keep], char_df[keep]
    if len(words) + len(keys) > max_features:
        # The rarest go; a stable sort on document frequency keeps words (in name
        # order) before character keys (ascending) among equals: a deterministic cut.
        all_df = np.concatenate([[word_df[w] for w in words], char_df]).astype(np.int64)
        kept = np.sort(np.argsort(-all_df, kind="stable")[:max_features])
        n_words = len(words)
        words = [words[i] for i in kept[kept < n_words]]
        chosen = kept[kept >= n_words] - n_words
        keys, char_df = keys[chosen], char_df[chosen]
    df = np.concatenate([[word_df[w] for w in words], char_df]).astype(np.float64)
    idf = np.log((1 + len(documents)) / (1 + df)) + 1.0
    return _Vocabulary(words, keys, idf.astype(np.float32))


def _matrix(documents: Sequence[Features], vocabulary: _Vocabulary):  # type: ignore[no-untyped-def]
    """The l2-normalised sublinear tf-idf matrix (CSR) of `documents`."""
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    rows_of = vocabulary.row_of_words()
    offset = len(vocabulary.words)
    indices: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    indptr = [0]
    for doc in documents:
        word_counts = Counter(w for w in doc.words if w in rows_of)
        keys, key_counts = np.unique(doc.chars, return_counts=True)
        at = np.minimum(np.searchsorted(vocabulary.chars, keys), max(len(vocabulary.chars) - 1, 0))
        known = (vocabulary.chars[at] == keys) if len(vocabulary.chars) else np.zeros(0, bool)
        indices.append(np.concatenate([np.fromiter((rows_of[w] for w in word_counts), np.int64,
                                                   len(word_counts)),
                                       at[known].astype(np.int64) + offset]))
        counts.append(np.concatenate([np.fromiter(word_counts.values(), np.float64,
                                                  len(word_counts)),
                                      key_counts[known].astype(np.float64)]))
        indptr.append(indptr[-1] + len(indices[-1]))
    columns = np.concatenate(indices) if indices else np.empty(0, np.int64)
    tf = np.concatenate(counts) if counts else np.empty(0)
    data = (1.0 + np.log(tf)) * vocabulary.idf[columns] if len(tf) else tf
    matrix = csr_matrix((data.astype(np.float32), columns, np.asarray(indptr)),
                        shape=(len(documents), len(vocabulary.idf)))
    return normalize(matrix)


def _svm(matrix, labels: Sequence[str], c: float):  # type: ignore[no-untyped-def]
    from sklearn.svm import LinearSVC

    # Balanced: a category the office sees rarely is not drowned by the frequent ones.
    return LinearSVC(C=c, class_weight="balanced", random_state=0).fit(matrix, labels)


def _linear(classifier) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    coef = classifier.coef_.astype(np.float32)
    bias = classifier.intercept_.astype(np.float32)
    if len(classifier.classes_) == 2:
        # A binary SVM keeps one row (score of class 1); softmax over [0, score] agrees.
        coef = np.vstack([np.zeros_like(coef), coef])
        bias = np.concatenate([np.zeros(1, dtype=np.float32), bias])
    return coef, bias


def _temperature(matrix, labels: Sequence[str], c: float) -> float:  # type: ignore[no-untyped-def]
    """The softmax temperature that makes held-out scores honest probabilities.

    One extra fit on 80% of the examples, scored on the other 20% (stratified, seeded);
    the temperature minimises their log-loss. Too few examples: a fixed default.
    """
    from scipy.optimize import minimize_scalar
    from sklearn.model_selection import train_test_split

    per_class = Counter(labels)
    if len(labels) < _CALIBRATION_MIN or min(per_class.values()) < 5:
        return _DEFAULT_TEMPERATURE
    rows = np.arange(len(labels))
    fit_rows, held = train_test_split(rows, test_size=0.2, random_state=0, stratify=labels)
    label_array = np.asarray(labels)
    classifier = _svm(matrix[fit_rows], label_array[fit_rows], c)
    coef, bias = _linear(classifier)
    scores = np.asarray(matrix[held] @ coef.T) + bias
    truth = np.searchsorted(classifier.classes_, label_array[held])

    def loss(t: float) -> float:
        logits = t * scores
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(held)), truth].mean())

    return float(minimize_scalar(loss, bounds=(0.1, 100.0), method="bounded").x)


def fit(documents: Sequence[Features], labels: Sequence[str], c: float = 1.0,
        counts: Counter[str] | None = None,
        max_features: int = _MAX_FEATURES,
        short: Sequence[tuple[Features, str]] = ()) -> LearnedModel:
    """Fit tf-idf + a balanced linear SVM, calibrated (see `features`, `_temperature`).

    With `short` (the features of short spans of the documents, with their labels), a
    second head is fitted on them over the same vocabulary and idf, when they cover the
    same classes (else the model has none).
    """
    vocabulary = _vocabulary(documents, max_features)
    matrix = _matrix(documents, vocabulary)
    classifier = _svm(matrix, labels, c)
    coef, bias = _linear(classifier)
    head = None
    if short and set(label for _, label in short) == set(classifier.classes_):
        short_labels = [label for _, label in short]
        short_matrix = _matrix([doc for doc, _ in short], vocabulary)
        short_coef, short_bias = _linear(_svm(short_matrix, short_labels, c))
        head = Head(np.ascontiguousarray(short_coef.T), short_bias,
                    _temperature(short_matrix, short_labels, c))
    return LearnedModel(
        classes=tuple(str(code) for code in classifier.classes_),
        words=vocabulary.row_of_words(),
        chars=vocabulary.chars,
        idf=vocabulary.idf,
        weights=np.ascontiguousarray(coef.T),
        bias=bias,
        counts={str(k): int(v) for k, v in sorted((counts or Counter(labels)).items())},
        temperature=_temperature(matrix, labels, c),
        short=head,
    )


def train_examples(
    examples: Sequence[tuple[str, str]], known: set[str], min_examples: int,
    featurise: Callable[[str], Features],
    is_neutral: Callable[[str], bool] | None = None,
) -> LearnedModel | None:
    """Learn from the categories with at least `min_examples` examples; None if < 2 do.

    A category with fewer examples is left to its keywords: a handful of texts would
    only teach the model noise. With `is_neutral` (a sentence that names nothing any
    category is about), short examples are also learned wrapped in neutral sentences
    taken from the examples themselves (greetings, who writes, pleas for an answer), so
    that a long formal 留言 around the same complaint is recognised as well as the
    one-line chat message. The short-text head learns from each example's short spans
    (`titles.short_spans`: its first sentence, the sentences after a greeting).
    """
    counts = Counter(category for _, category in examples if category in known)
    kept = {category for category, n in counts.items() if n >= min_examples}
    if len(kept) < 2:
        return None
    rows = [(text, category) for text, category in examples if category in kept]
    labels = [category for _, category in rows]
    documents = [featurise(text) for text, _ in rows]
    if is_neutral is not None:
        extra = wrapped_in_neutral(rows, is_neutral)
        documents += [featurise(text) for text, _ in extra]
        labels += [category for _, category in extra]
    short = [(featurise(span), category) for text, category in rows
             for span in short_spans(text)]
    return fit(documents, labels, counts=Counter(category for _, category in rows),
               short=short)


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")
AUGMENT_MAX_CHARS = 80      # examples up to this long are also learned wrapped
_NEUTRAL_MIN_CHARS = 6
_NEUTRAL_POOL = 2_000
_NEUTRAL_SAMPLE = 500       # texts searched for neutral sentences (each is segmented)


def neutral_sentences(texts: Sequence[str], is_neutral: Callable[[str], bool]) -> list[str]:
    """Distinct sentences of `texts` that `is_neutral` accepts, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        for sentence in _SENTENCE_END.split(text):
            sentence = sentence.strip()
            if (len(sentence) >= _NEUTRAL_MIN_CHARS and sentence not in seen
                    and is_neutral(sentence)):
                seen[sentence] = None
                if len(seen) >= _NEUTRAL_POOL:
                    return list(seen)
    return list(seen)


def wrapped_in_neutral(rows: Sequence[tuple[str, str]], is_neutral: Callable[[str], bool],
                       seed: int = 20240604) -> list[tuple[str, str]]:
    """Each short example once more, inside 0–2 neutral sentences before and 1–3 after.

    Deterministic (seeded), so the same examples always give the same model. Nothing
    is added while fewer than 5 neutral sentences are known.
    """
    short = [(text, category) for text, category in rows if len(text) <= AUGMENT_MAX_CHARS]
    if not short:
        return []
    # Sentences from a bounded sample: 10,000 long petitions need not all be segmented.
    sample = [text for text, _ in rows][:_NEUTRAL_SAMPLE]
    pool = neutral_sentences(sample, is_neutral)
    if len(pool) < 5:
        return []
    rng = random.Random(seed)
    out = []
    for text, category in short:
        before = "".join(rng.choice(pool) for _ in range(rng.randint(0, 2)))
        after = "".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
        out.append((before + text + after, category))
    return out
