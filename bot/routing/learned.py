"""A linear model learned from routed requests (dispatchers' choices and corrections).

Training uses scikit-learn (tf-idf over jieba tokens and Han character bigrams, then a
multinomial logistic regression); prediction is a few numpy operations on the stored
weights, so classifying stays fast and the stored model is plain arrays, never a pickle.
"""

from __future__ import annotations

import io
import json
import math
import random
import re
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

_MAGIC = b"LIANXIN-ROUTING-MODEL\n"
# Bump when `features` or the stored layout changes: an old model is then refused
# (ValueError) instead of silently scoring different features; the app retrains.
FORMAT_VERSION = 3
_MAX_FEATURES = 60_000  # keeps the stored model a few MB even after 10,000 long petitions


def features(tokens: Sequence[str], text: str,
             keyword_hits: Sequence[tuple[str, int]] = ()) -> list[str]:
    """What the model sees: jieba tokens, Han characters and bigrams, keyword evidence.

    Numbers are folded (addresses and phone numbers are noise). Characters and bigrams
    make the model robust to segmentation differences, typos and unseen words; the
    keyword hits per category (`k<code>`, once per hit) let it learn how far to trust
    each category's keywords.
    """
    out = ["w#" if t.isdigit() else "w" + t for t in tokens]
    run = ""
    for char in text + " ":
        if "\u4e00" <= char <= "\u9fff":
            run += char
            out.append("c" + char)
            continue
        out.extend("b" + run[i:i + 2] for i in range(len(run) - 1))
        run = ""
    for code, count in keyword_hits:
        out.extend(["k" + code] * count)
    return out


@dataclass(frozen=True, eq=False)
class LearnedModel:
    classes: tuple[str, ...]            # category codes, one column each
    vocabulary: dict[str, int]          # feature -> row of `weights`
    idf: np.ndarray                     # (n_features,) float32
    weights: np.ndarray                 # (n_features, n_classes) float32
    bias: np.ndarray                    # (n_classes,) float32
    counts: dict[str, int]              # examples learned per class

    def __post_init__(self) -> None:
        names = [""] * len(self.vocabulary)
        for name, row in self.vocabulary.items():
            names[row] = name
        object.__setattr__(self, "_names", names)

    def probabilities(self, feats: Sequence[str]) -> np.ndarray:
        """P(class | text), in `classes` order (uniform when no feature is known)."""
        rows, values = self._vector(feats)
        logits = self.bias.astype(np.float64)
        if len(rows):
            logits = logits + values @ self.weights[rows]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def contributions(self, feats: Sequence[str], column: int) -> list[tuple[str, float]]:
        """Features that pushed towards class `column`, strongest first (for 'why')."""
        rows, values = self._vector(feats)
        names: list[str] = self._names  # type: ignore[attr-defined]
        parts = values * self.weights[rows, column]
        order = np.argsort(-parts)
        return [(names[int(rows[i])], float(parts[i])) for i in order if parts[i] > 0]

    def _vector(self, feats: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        # tf-idf as the vectorizer computed it at training: sublinear tf, l2-normalised.
        counts = Counter(self.vocabulary[f] for f in feats if f in self.vocabulary)
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64)
        rows = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64,
                         count=len(counts))
        values = tf * self.idf[rows]
        values /= np.sqrt(values @ values)
        return rows, values

    # -- persistence: magic, version, JSON header, zlib-compressed float arrays ----------

    def to_bytes(self) -> bytes:
        names: list[str] = self._names  # type: ignore[attr-defined]
        header = json.dumps({"classes": list(self.classes), "features": names,
                             "counts": self.counts}, ensure_ascii=False).encode()
        body = io.BytesIO()
        body.write(struct.pack("<I", len(header)))
        body.write(header)
        for array in (self.idf, self.weights, self.bias):
            np.save(body, np.ascontiguousarray(array, dtype="<f4"), allow_pickle=False)
        return _MAGIC + struct.pack("<I", FORMAT_VERSION) + zlib.compress(body.getvalue(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> LearnedModel:
        """Load what `to_bytes` wrote; anything else raises ValueError (never unpickles)."""
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 4:
            raise ValueError("not a Lianxin routing model")
        (version,) = struct.unpack_from("<I", data, len(_MAGIC))
        if version != FORMAT_VERSION:
            raise ValueError(f"routing model format {version} is not {FORMAT_VERSION}: retrain")
        try:
            body = io.BytesIO(zlib.decompress(data[len(_MAGIC) + 4:]))
            (size,) = struct.unpack("<I", body.read(4))
            header = json.loads(body.read(size).decode())
            idf, weights, bias = (np.load(body, allow_pickle=False) for _ in range(3))
        except (zlib.error, struct.error, ValueError, OSError) as exc:
            raise ValueError(f"damaged routing model: {exc}") from None
        classes = tuple(header["classes"])
        names = header["features"]
        if (idf.shape != (len(names),) or weights.shape != (len(names), len(classes))
                or bias.shape != (len(classes),)):
            raise ValueError("damaged routing model: array shapes do not match its header")
        return cls(classes=classes, vocabulary={n: i for i, n in enumerate(names)},
                   idf=idf.astype(np.float32), weights=np.ascontiguousarray(weights),
                   bias=bias, counts={str(k): int(v) for k, v in header["counts"].items()})


def fit(documents: Sequence[Sequence[str]], labels: Sequence[str],
        c: float = 30.0, counts: Counter[str] | None = None) -> LearnedModel:
    """Fit tf-idf + multinomial logistic regression on feature lists (see `features`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32,
                                 min_df=2 if len(documents) >= 1000 else 1,
                                 max_features=_MAX_FEATURES)
    matrix = vectorizer.fit_transform(documents)
    classifier = LogisticRegression(C=c, max_iter=500)
    classifier.fit(matrix, labels)
    coef = classifier.coef_.astype(np.float32)
    bias = classifier.intercept_.astype(np.float32)
    if len(classifier.classes_) == 2:
        # Binary LR keeps one row (logit of class 1); softmax over [0, logit] is the same.
        coef = np.vstack([np.zeros_like(coef), coef])
        bias = np.concatenate([np.zeros(1, dtype=np.float32), bias])
    return LearnedModel(
        classes=tuple(str(c) for c in classifier.classes_),
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        weights=np.ascontiguousarray(coef.T),
        bias=bias,
        counts={str(k): int(v) for k, v in (counts or Counter(labels)).items()},
    )


def _identity(feats: list[str]) -> list[str]:
    return feats


def train_examples(
    examples: Sequence[tuple[str, str]], known: set[str], min_examples: int,
    featurise: Callable[[str], list[str]],
    is_neutral: Callable[[str], bool] | None = None,
) -> LearnedModel | None:
    """Learn from the categories with at least `min_examples` examples; None if < 2 do.

    A category with fewer examples is left to its keywords: a handful of texts would
    only teach the model noise. With `is_neutral` (a sentence that names nothing any
    category is about), short examples are also learned wrapped in neutral sentences
    taken from the examples themselves (greetings, who writes, pleas for an answer), so
    that a long formal 留言 around the same complaint is recognised as well as the
    one-line chat message.
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
    return fit(documents, labels, counts=Counter(category for _, category in rows))


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")
AUGMENT_MAX_CHARS = 80      # examples up to this long are also learned wrapped
_NEUTRAL_MIN_CHARS = 6
_NEUTRAL_POOL = 2_000
_NEUTRAL_SAMPLE = 3_000


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
