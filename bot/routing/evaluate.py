"""Measuring the router on labelled requests (`lianxin routing eval`, bench/routing.py)."""

from __future__ import annotations

import csv
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Config
from bot.routing.router import Router, train

TRIAGE = "(triage)"


def read_labelled_csv(path: Path, config: Config) -> list[tuple[str, str]]:
    """Rows of a `text,category` CSV; ValueError naming file:line for anything wrong."""
    path = Path(path)
    known = {c.code for c in config.categories}
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:2]] != ["text", "category"]:
            raise ValueError(f"{path}:1: the header must be text,category, got {header!r}")
        start = reader.line_num + 1
        for row in reader:
            where = f"{path}:{start}"
            start = reader.line_num + 1  # a quoted text may span several lines
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < 2:
                raise ValueError(f"{where}: expected text,category, got {row!r:.60}")
            text, category = row[0].strip(), row[1].strip()
            if not text:
                raise ValueError(f"{where}: empty text")
            if category not in known:
                raise ValueError(f"{where}: unknown category {category!r} "
                                 f"(known: {', '.join(sorted(known))})")
            rows.append((text, category))
    return rows


@dataclass
class EvalReport:
    labels: list[str]                    # configured category codes
    truth: list[str]
    predicted: list[str]                 # a category code, or TRIAGE
    per_s: float
    learned_from: int = 0                # training examples (0: keywords only)
    notes: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Routed confidently to the right category; a triaged request counts as wrong."""
        if not self.truth:
            return 0.0
        right = sum(t == p for t, p in zip(self.truth, self.predicted, strict=True))
        return right / len(self.truth)

    @property
    def triage(self) -> float:
        return self.predicted.count(TRIAGE) / len(self.predicted) if self.predicted else 0.0

    def per_category(self) -> dict[str, tuple[float, float, float, int]]:
        """precision, recall, F1, support per category present in truth or predictions."""
        pairs = list(zip(self.truth, self.predicted, strict=True))
        result = {}
        for label in self.labels:
            tp = sum(t == label and p == label for t, p in pairs)
            predicted = sum(p == label for _, p in pairs)
            support = sum(t == label for t, _ in pairs)
            if not predicted and not support:
                continue
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            result[label] = (precision, recall, f1, support)
        return result

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the categories in the test set (triage is a miss, not a class)."""
        scores = [f1 for f1 in (v[2] for k, v in self.per_category().items()
                                if k in set(self.truth))]
        return sum(scores) / len(scores) if scores else 0.0

    def confusions(self) -> list[tuple[str, str, int]]:
        """(true, predicted, count) for every wrong routing and triage, most frequent first."""
        counts = Counter((t, p) for t, p in zip(self.truth, self.predicted, strict=True)
                         if t != p)
        return sorted(((t, p, n) for (t, p), n in counts.items()), key=lambda x: (-x[2], x))

    def summary(self) -> str:
        return (f"accuracy={self.accuracy:.3f} macro_f1={self.macro_f1:.3f} "
                f"triage={self.triage:.3f} per_s={round(self.per_s)}")

    def format(self) -> str:
        mode = (f"keywords + model learned from {self.learned_from} examples"
                if self.learned_from else "keywords only")
        lines = [f"{len(self.truth)} requests, {mode}", *self.notes,
                 f"{'category':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}"]
        for label, (precision, recall, f1, support) in self.per_category().items():
            lines.append(f"{label:<20} {precision:9.3f} {recall:7.3f} {f1:6.3f} {support:4d}")
        confusions = self.confusions()
        if confusions:
            lines.append("confusions (true -> routed: count):")
            lines.extend(f"  {t} -> {p}: {n}" for t, p, n in confusions)
        lines.append(self.summary())
        return "\n".join(lines)


def evaluate(config: Config, data_dir: Path, test_rows: Sequence[tuple[str, str]],
             train_rows: Sequence[tuple[str, str]] | None = None,
             router: Router | None = None) -> EvalReport:
    """Score the router on `test_rows`, after learning from `train_rows` when given.

    Territorial categories are judged by category: a test row carries no address, so
    the decision to count is "confident and right category" whatever the area.
    """
    router = router or Router.build(config, data_dir)
    notes: list[str] = []
    learned_from = 0
    if train_rows:
        model = train(router, list(train_rows))
        if model is None:
            notes.append(f"too few training examples per category "
                         f"(learn_min_examples={config.routing.learn_min_examples}): keywords only")
        else:
            learned_from = sum(model.counts.values())
        router = router.with_model(model)
    predicted: list[str] = []
    no_area = 0
    started = time.perf_counter()
    for text, _ in test_rows:
        analysis = router.analyse(text)
        decision = analysis.decision
        # A CSV row has no address: a territorial request whose scores pass the thresholds
        # counts as routed (the right category is what is measured); the area is counted.
        routed = decision.confident or analysis.passes
        no_area += analysis.passes and not decision.confident
        predicted.append(decision.category if routed and decision.category else TRIAGE)
    elapsed = time.perf_counter() - started
    per_s = len(test_rows) / elapsed if elapsed > 0 else 0.0
    if no_area:
        notes.append(f"{no_area} territorial requests named no known area "
                     "(counted as routed by category; live, they go to triage)")
    return EvalReport([c.code for c in config.categories], [c for _, c in test_rows],
                      predicted, per_s, learned_from, notes)


def split_rows(rows: Sequence[tuple[str, str]], test_share: float = 0.3,
               ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Deterministic train/test split by a hash of each text.

    A row's side depends on its text alone, so appending rows to the data set never moves
    an old training row (one the keywords may have been tuned on) into the test split.
    """
    train_rows: list[tuple[str, str]] = []
    test_rows: list[tuple[str, str]] = []
    for row in rows:
        in_test = zlib.crc32(row[0].encode("utf-8")) % 1000 < test_share * 1000
        (test_rows if in_test else train_rows).append(row)
    return train_rows, test_rows
