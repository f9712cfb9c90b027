"""Routing figures: our own chat messages, and cross-validation on a real corpus.

    python bench/routing.py [--data tests/data/requests.csv] [--config bot/demo_config.yaml]
                            [--corpus ../shared/data/wenzheng/messages.csv]
                            [--corpus-config ../shared/data/wenzheng/office.yaml]
                            [--folds 5] [--train-examples 0]

Prints plain `name: value` lines. On --data (issues 4, 11): keyword-only and learned
accuracy / macro-F1 / triage on the 30% test split (after learning from the 70% train
split), the same on the test texts wrapped in long formal petitions, throughput on one
core, start-up time (and, with --train-examples N, the training time on N synthetic
~300-character petitions).

On --corpus, when the file exists (issue 11; it is not part of the repository): per
stratified fold, keyword-only with --corpus-config, the router learned from the other
folds on whole messages and on titles alone, and the anchor an engineer would pick in an
afternoon (jieba + TF-IDF + LinearSVC) on the same folds; per_s of each, one message at a
time, jieba's own cost included; train_s. The corpus's title cannot be recovered: only
~3% of messages visibly start with a title glued to the body (E7县万和实验学校高中招生乱象我是…),
no separator marks it, and ~22% start with a greeting. So "titles" are each message's
first sentence: up to the first 。！？!? or newline, at most 40 characters; and, as a
second stand-in, the first sentence after a leading greeting (`title_after_greeting`).
"""

from __future__ import annotations

import os

# One core: keep numpy's BLAS from spreading over several (set before numpy loads).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.routing import Router, evaluate, read_labelled_csv, train  # noqa: E402
from bot.routing.evaluate import EvalReport, split_rows  # noqa: E402
from bot.routing.titles import SHORT_CHARS, after_greeting, first_sentence  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "wenzheng" / "messages.csv"

# Neutral paragraphs of a formal 留言: greetings, history of the complaint, a plea.
OPENINGS = [
    "尊敬的领导您好：我是本小区的一名普通居民，在这里居住已经有十多年了，今天冒昧给您留言，"
    "希望能够引起有关部门的重视。",
    "您好！我反映一个困扰我们很久的问题，之前也打过几次电话，但一直没有得到彻底解决，"
    "所以只好通过这个渠道再反映一次。",
    "各位领导好，我们几户居民商量之后决定联名写这封信，把情况详细说明如下，请予以核实处理。",
]
CLOSINGS = [
    "这个问题已经持续了很长时间，严重影响了我们的正常生活，老人孩子都很受罪。"
    "恳请相关部门尽快派人到现场查看，给我们一个明确的答复和解决时间，谢谢！",
    "希望领导能够重视，早日协调解决，不要再互相推诿了。如需了解情况可以随时联系我，"
    "我的电话是13800000000，再次感谢！",
    "我们相信政府一定会为老百姓办实事，期待早日得到回复。以上情况属实，请核查。",
]


def long_petition(text: str, rng: random.Random) -> str:
    """`text` inside a several-paragraph formal petition of neutral wording."""
    return f"{rng.choice(OPENINGS)}\n\n{text}\n\n{rng.choice(CLOSINGS)}"


def synthetic_long(rows: list[tuple[str, str]], n: int, rng: random.Random,
                   length: int = 300) -> list[tuple[str, str]]:
    """n petitions of ~`length` characters, each composed of same-category dataset texts."""
    by_category: dict[str, list[str]] = {}
    for text, category in rows:
        by_category.setdefault(category, []).append(text)
    categories = sorted(by_category)
    out = []
    for i in range(n):
        category = categories[i % len(categories)]
        parts = [rng.choice(OPENINGS)]
        while sum(map(len, parts)) < length:
            parts.append(rng.choice(by_category[category]))
        out.append(("\n".join(parts)[: length + 40], category))
    return out


def figures(report) -> str:  # type: ignore[no-untyped-def]
    return (f"accuracy={report.accuracy:.3f} macro_f1={report.macro_f1:.3f} "
            f"triage={report.triage:.3f}")


def throughput(router: Router, texts: list[str], seconds: float = 2.0) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            router.classify(text)
        done += len(texts)
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "data" / "requests.csv")
    parser.add_argument("--config", type=Path, default=ROOT / "bot" / "demo_config.yaml")
    parser.add_argument("--train-examples", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--corpus-config", type=Path,
                        default=DEFAULT_CORPUS.parent / "office.yaml")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    config = load_config(args.config)
    rows = read_labelled_csv(args.data, config)
    train_rows, test_rows = split_rows(rows)
    print(f"dataset: {args.data.name} rows={len(rows)} train={len(train_rows)} "
          f"test={len(test_rows)} categories={len({c for _, c in rows})}")

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        Router.build(config, data_dir)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        router = Router.build(config, data_dir)
        warm = time.perf_counter() - started
        print(f"startup_s: {warm:.2f} (Router.build, jieba cache in data dir; "
              f"first build {cold:.2f})")

        keyword_report = evaluate(config, data_dir, test_rows, router=router)
        print(f"keywords test: {figures(keyword_report)}")
        started = time.perf_counter()
        model = train(router, train_rows)
        print(f"train_s ({len(train_rows)} examples): {time.perf_counter() - started:.2f}")
        learned = router.with_model(model)
        if model is None:
            print("learned: no model (too few examples per category)")
        learned_report = evaluate(config, data_dir, test_rows, router=learned)
        print(f"learned test: {figures(learned_report)}")

        rng = random.Random(7)
        long_rows = [(long_petition(text, rng), category) for text, category in test_rows]
        mean = sum(len(t) for t, _ in long_rows) / len(long_rows)
        print(f"keywords test as long petitions (~{mean:.0f} chars): "
              f"{figures(evaluate(config, data_dir, long_rows, router=router))}")
        print(f"learned test as long petitions: "
              f"{figures(evaluate(config, data_dir, long_rows, router=learned))}")
        short = [text for text, _ in test_rows if len(text) <= 40]
        short_report = evaluate(config, data_dir, [r for r in test_rows if len(r[0]) <= 40],
                                router=learned)
        print(f"learned test, short messages only (n={len(short)}): {figures(short_report)}")

        print(f"per_s keywords: {throughput(router, short):.0f} (short messages, one core)")
        print(f"per_s learned: {throughput(learned, short):.0f} (short messages, one core)")

        if args.train_examples:
            synthetic = synthetic_long(train_rows, args.train_examples, random.Random(11))
            mean = sum(len(t) for t, _ in synthetic) / len(synthetic)
            started = time.perf_counter()
            big = train(router, synthetic)
            elapsed = time.perf_counter() - started
            size = len(big.to_bytes()) if big else 0
            print(f"train_s ({len(synthetic)} synthetic petitions, ~{mean:.0f} chars): "
                  f"{elapsed:.1f} (model {size / 1e6:.1f} MB)")

        if args.corpus.is_file():
            cross_validate(args.corpus, args.corpus_config, args.folds, data_dir)
        else:
            print(f"corpus: {args.corpus} not found, cross-validation skipped")


def title(text: str) -> str:
    """The stand-in for a message's title: its first sentence, at most 40 characters."""
    return first_sentence(text)


def title_after_greeting(text: str) -> str:
    """Another stand-in: the first sentence after a leading greeting or address to an
    official (尊敬的贺厅长：你好，…), at most 40 characters. A real title never starts
    with one, and ~22% of the corpus's messages do."""
    return first_sentence(after_greeting(text)) or title(text)


class Anchor:
    """jieba + TF-IDF + LinearSVC: the baseline an engineer would pick in an afternoon."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        import jieba
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._vectorizer = TfidfVectorizer(token_pattern=r"(?u)\S+")
        matrix = self._vectorizer.fit_transform([self._words(t) for t, _ in rows])
        self._svm = LinearSVC().fit(matrix, [c for _, c in rows])

    def _words(self, text: str) -> str:
        return " ".join(self._jieba.lcut(text))

    def predict(self, text: str) -> str:
        return str(self._svm.predict(self._vectorizer.transform([self._words(text)]))[0])


def speed_ratio(router: Router, anchor: Anchor, texts: list[str], chunk: int = 50,
                rounds: int = 2) -> float:
    """How many times faster `router.classify` is than `anchor.predict` on `texts`, one at
    a time: the two take turns on each chunk, so that another process loading the
    machine slows both alike (per_s of one measured apart swings by ±20%)."""
    spent = [0.0, 0.0]
    for _ in range(rounds):
        for start in range(0, len(texts), chunk):
            part = texts[start:start + chunk]
            for side, classify in enumerate((router.classify, anchor.predict)):
                began = time.perf_counter()
                for text in part:
                    classify(text)
                spent[side] += time.perf_counter() - began
    return spent[1] / spent[0]


def anchor_report(anchor: Anchor, labels: list[str], rows: list[tuple[str, str]]) -> EvalReport:
    started = time.perf_counter()
    predicted = [anchor.predict(text) for text, _ in rows]
    per_s = len(rows) / (time.perf_counter() - started)
    return EvalReport(labels, [c for _, c in rows], predicted, per_s)


def folds(rows: list[tuple[str, str]], k: int) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    return [(list(a), list(b)) for a, b in splitter.split(rows, [c for _, c in rows])]


def cross_validate(corpus: Path, config_path: Path, k: int, data_dir: Path) -> None:
    """Per-fold figures on the corpus, then their means."""
    config = load_config(config_path)
    rows = read_labelled_csv(corpus, config)
    labels = [c.code for c in config.categories]
    print(f"corpus: {corpus.name} rows={len(rows)} folds={k} config={config_path.name} "
          f"(titles: first sentence, at most {SHORT_CHARS} characters)")
    router = Router.build(config, data_dir / "corpus")
    totals: dict[str, list[float]] = {}

    def show(fold: str, name: str, report: EvalReport, extra: str = "") -> None:
        print(f"  {fold} {name}: {report.summary()}{extra}")
        for key, value in (("acc", report.accuracy), ("f1", report.macro_f1),
                           ("triage", report.triage), ("per_s", report.per_s)):
            totals.setdefault(f"{name} {key}", []).append(value)

    for number, (train_at, test_at) in enumerate(folds(rows, k), 1):
        train_rows = [rows[i] for i in train_at]
        test_rows = [rows[i] for i in test_at]
        titles = [(title(t), c) for t, c in test_rows]
        titles2 = [(title_after_greeting(t), c) for t, c in test_rows]
        fold = f"fold {number}"
        show(fold, "keywords", evaluate(config, data_dir, test_rows, router=router))
        show(fold, "keywords titles", evaluate(config, data_dir, titles, router=router))
        started = time.perf_counter()
        model = train(router, train_rows)
        train_s = time.perf_counter() - started
        totals.setdefault("learned train_s", []).append(train_s)
        learned = router.with_model(model)
        show(fold, "learned", evaluate(config, data_dir, test_rows, router=learned),
             f" train_s={train_s:.1f}")
        show(fold, "learned titles", evaluate(config, data_dir, titles, router=learned))
        show(fold, "learned titles after greeting",
             evaluate(config, data_dir, titles2, router=learned))
        anchor = Anchor(train_rows)
        show(fold, "anchor", anchor_report(anchor, labels, test_rows))
        show(fold, "anchor titles", anchor_report(anchor, labels, titles))
        show(fold, "anchor titles after greeting", anchor_report(anchor, labels, titles2))
        ratio = speed_ratio(learned, anchor, [t for t, _ in test_rows])
        totals.setdefault("learned/anchor speed", []).append(ratio)
        print(f"  {fold} learned/anchor speed: {ratio:.2f} (taking turns on the same texts)")
    print("corpus means over folds:")
    for name, values in totals.items():
        digits = (0 if name.endswith("per_s") else 1 if name.endswith("train_s")
                  else 2 if name.endswith("speed") else 3)
        print(f"  {name}: {sum(values) / len(values):.{digits}f} "
              f"(min {min(values):.{digits}f}, max {max(values):.{digits}f})")


if __name__ == "__main__":
    main()
