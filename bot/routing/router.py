"""The router: normalise, segment, score by keywords (+ learned model), decide, explain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import Area, Config
from bot.routing.areas import AreaFinder
from bot.routing.learned import Features, LearnedModel, Vector, features, train_examples
from bot.routing.names import with_name_keywords
from bot.routing.normalise import normalise, prepare
from bot.routing.score import KeywordScorer, KeywordScores
from bot.routing.segment import Segmenter
from bot.routing.titles import is_short


@dataclass(frozen=True)
class Candidate:
    category: str
    score: float
    department: str | None  # None: territorial category, area unknown


@dataclass(frozen=True)
class RouteDecision:
    text: str                          # normalised text that was scored
    category: str | None               # best category, None when nothing matched
    department: str | None             # where to dispatch; None -> triage
    confident: bool                    # True -> dispatch to `department`; False -> triage
    matched_words: tuple[str, ...]     # why: keyword hits (or the model's strongest words)
    candidates: tuple[Candidate, ...]  # top 3 with a positive score, for triage buttons
    urgent: bool
    urgent_words: tuple[str, ...]
    area: str | None                   # area code from address, location or text
    traditional: bool                  # the resident wrote Traditional Chinese


@dataclass(frozen=True)
class Analysis:
    """Everything the decision was made from (for `explain`)."""

    text: str
    traditional: bool
    tokens: list[str]
    keywords: KeywordScores
    learned: tuple[float, ...] | None   # probability per category index (0: not modelled)
    combined: tuple[float, ...]
    ranking: tuple[int, ...]            # category indexes, best first
    urgent_words: tuple[str, ...]
    urgent_categories: frozenset[int]   # categories ranked first by an urgent keyword hit
    area: Area | None
    decision: RouteDecision
    passes: bool  # score and margin over the thresholds (confident but for a missing area)


class Router:
    def __init__(self, config: Config, segmenter: Segmenter, scorer: KeywordScorer,
                 areas: AreaFinder, model: LearnedModel | None) -> None:
        self.config = config
        self.model = model
        self._segmenter = segmenter
        self._scorer = scorer
        self._areas = areas
        self._categories = list(config.categories)
        self._index = {c.code: i for i, c in enumerate(self._categories)}
        # The office's keywords, without the words of the names (`with_name_keywords`).
        self._configured = frozenset(k.word.lower() for c in self._categories
                                     for k in c.keywords)
        self._urgent = tuple(sorted({w.lower() for w in config.routing.urgent_words}))
        # Model class columns that are still configured categories, as (column, index).
        self._columns: tuple[tuple[int, int], ...] = ()
        if model is not None:
            self._columns = tuple((col, self._index[code]) for col, code
                                  in enumerate(model.classes) if code in self._index)

    @classmethod
    def build(cls, config: Config, data_dir: Path,
              model: LearnedModel | None = None) -> Router:
        """Load jieba once with every keyword, area name and urgent word kept whole."""
        areas = AreaFinder(config.areas, config.routing.area_radius_km)
        words = [k.word for c in config.categories for k in c.keywords]
        words += areas.names + list(config.routing.urgent_words)
        segmenter = Segmenter(Path(data_dir), words)
        categories = with_name_keywords(config, segmenter.split,
                                        lambda word: segmenter.frequency(word) > 0)
        segmenter.add_words(k.word for c in categories for k in c.keywords)
        scorer = KeywordScorer(categories, masked=areas.names,
                               frequency=segmenter.frequency,
                               pinyin=config.routing.pinyin_factor,
                               general=segmenter.general_frequency,
                               rarity=config.routing.keyword_rarity)
        return cls(config, segmenter, scorer, areas, model)

    def with_model(self, model: LearnedModel | None) -> Router:
        """The same tokenizer and keywords with another model (after retraining)."""
        return Router(self.config, self._segmenter, self._scorer, self._areas, model)

    def tokens(self, text: str) -> list[str]:
        return self._segmenter.tokens(normalise(text))

    def features(self, text: str) -> Features:
        """What the learned model sees of `text` (its words, characters, keyword hits)."""
        normalised = normalise(text)
        spans = self._segmenter.spans(normalised)
        return self._features([token for _, _, token in spans], normalised,
                              self._scorer.score(spans, normalised))

    def is_neutral(self, text: str) -> bool:
        """No configured keyword nor urgent word in `text` (a greeting, a plea, who
        writes)."""
        normalised = normalise(text)
        if any(w in normalised.lower() for w in self._urgent):
            return False
        found = self._scorer.score(self._segmenter.spans(normalised), normalised).found
        return not found & self._configured

    def _features(self, tokens: list[str], text: str, keywords: KeywordScores) -> Features:
        # Configured keywords only: the model sees the words of the names anyway, and
        # learns from history what they mean (服务, 办理 in a department's name say little).
        hits = [(self._categories[i].code, n) for i, h in enumerate(keywords.hits)
                if (n := sum(w in self._configured for w in h))]
        return features(tokens, text, hits)

    def classify(self, text: str, *, address: str | None = None,
                 location: tuple[float, float] | None = None) -> RouteDecision:
        """Where `text` goes, and why. CPU-bound (about a millisecond per long petition)
        and safe to call from a worker thread: the router is never changed after it is
        built (`with_model` makes a new one)."""
        return self.analyse(text, address=address, location=location).decision

    def analyse(self, text: str, *, address: str | None = None,
                location: tuple[float, float] | None = None) -> Analysis:
        normalised, traditional = prepare(text)
        spans = self._segmenter.spans(normalised)
        tokens = [token for _, _, token in spans]
        keywords = self._scorer.score(spans, normalised)
        # Built once: the model scores them, and explains from them when no keyword does.
        vector = (self.model.vector(self._features(tokens, normalised, keywords))
                  if self.model is not None and self._columns else None)
        learned = self._learned(vector, is_short(normalised))
        combined = self._combined(keywords, learned)
        lowered = normalised.lower()
        urgent_words = tuple(w for w in self._urgent if w in lowered)
        urgent_categories = self._urgent_categories(keywords, urgent_words, learned)
        # An urgent keyword wins (unless the model is sure of another category): those
        # categories rank first, by keyword score; the others follow by combined score.
        # Between equal scores the category named first wins: the subject comes first.
        ranking = tuple(sorted(
            range(len(self._categories)),
            key=lambda i: (i in urgent_categories,
                           keywords.scores[i] if i in urgent_categories else combined[i],
                           -keywords.first[i]),
            reverse=True))
        area = self._areas.find(normalised, normalise(address) if address else None, location)
        decision, passes = self._decide(normalised, traditional, vector, keywords, learned,
                                        combined, ranking, urgent_words, urgent_categories,
                                        area)
        return Analysis(normalised, traditional, tokens, keywords, learned, combined, ranking,
                        urgent_words, urgent_categories, area, decision, passes)

    def _urgent_categories(self, keywords: KeywordScores, urgent_words: tuple[str, ...],
                           learned: tuple[float, ...] | None) -> frozenset[int]:
        """Category indexes with an urgent keyword among their hits, which then rank first;
        none when the model gives another category at least `routing.urgent_overruled_at`
        (the request stays urgent: `RouteDecision.urgent` follows the words alone)."""
        urgent = frozenset(
            i for i, hits in enumerate(keywords.hits) if any(w in urgent_words for w in hits))
        if urgent and learned is not None:
            threshold = self.config.routing.urgent_overruled_at
            if any(p >= threshold for i, p in enumerate(learned) if i not in urgent):
                return frozenset()
        return urgent

    def _learned(self, vector: Vector | None, short: bool) -> tuple[float, ...] | None:
        if self.model is None or vector is None:
            return None
        probabilities = self.model.probabilities(vector, short)
        per_category = [0.0] * len(self._categories)
        for column, index in self._columns:
            per_category[index] = float(probabilities[column])
        return tuple(per_category)

    def _combined(self, keywords: KeywordScores,
                  learned: tuple[float, ...] | None) -> tuple[float, ...]:
        """Per category: `learned_weight` × the model's probability where the model covers
        the category (the keyword hits are among its features: a prior it has learned to
        weigh, not a veto), the keyword score where it does not (too few examples yet)."""
        if learned is None:
            return keywords.scores
        weight = self.config.routing.learned_weight
        covered = {index for _, index in self._columns}
        return tuple(weight * p if i in covered else k
                     for i, (k, p) in enumerate(zip(keywords.scores, learned, strict=True)))

    def _department(self, index: int, area: Area | None) -> str | None:
        category = self._categories[index]
        if category.territorial:
            return area.unit if area else None
        return category.department

    def _decide(self, text: str, traditional: bool, vector: Vector | None,
                keywords: KeywordScores, learned: tuple[float, ...] | None,
                combined: Sequence[float], ranking: Sequence[int],
                urgent_words: tuple[str, ...], urgent_categories: frozenset[int],
                area: Area | None) -> tuple[RouteDecision, bool]:
        """The decision and whether it passes the thresholds: `min_confidence` on the
        model's calibrated probability when the model covers the best category (and no
        urgent word decided it), else `min_score` / `min_margin` on keyword points."""
        routing = self.config.routing
        best, second = ranking[0], ranking[1] if len(ranking) > 1 else None
        modelled = (learned is not None and best not in urgent_categories
                    and any(index == best for _, index in self._columns))
        if best in urgent_categories:
            # Keyword rule among urgent hits only: the model cannot outvote a gas leak.
            score = keywords.scores[best]
            rival = (keywords.scores[second]
                     if second is not None and second in urgent_categories else 0.0)
        else:
            score = combined[best]
            rival = combined[second] if second is not None else 0.0
        candidates = tuple(
            Candidate(self._categories[i].code, round(combined[i], 3), self._department(i, area))
            for i in ranking[:3] if combined[i] > 0)
        if score <= 0:
            return RouteDecision(text, None, None, False, (), candidates, bool(urgent_words),
                                 urgent_words, area.code if area else None, traditional), False
        department = self._department(best, area)
        if modelled:
            assert learned is not None
            passes = learned[best] >= routing.min_confidence
        else:
            passes = score >= routing.min_score and score - rival >= routing.min_margin
        confident = passes and department is not None
        matched = tuple(keywords.written(w) for w in keywords.hits[best])
        if not matched and vector is not None:
            matched = self._model_words(vector, best)
        return RouteDecision(
            text=text, category=self._categories[best].code, department=department,
            confident=confident, matched_words=matched, candidates=candidates,
            urgent=bool(urgent_words), urgent_words=urgent_words,
            area=area.code if area else None, traditional=traditional), passes

    def _model_words(self, vector: Vector, index: int) -> tuple[str, ...]:
        """The model's strongest words for category `index`, when no keyword explains it."""
        assert self.model is not None
        column = next((c for c, i in self._columns if i == index), None)
        if column is None:
            return ()
        # Words first; characters (e.g. an unknown name jieba split) when words are few.
        words: list[str] = []
        grams: list[str] = []
        for name, _ in self.model.contributions(vector, column):
            if name.startswith("w") and name != "w#":
                words.append(name[1:])
                if len(words) == 3:   # the rest would not be shown
                    break
            elif name.startswith("c") and len(name) > 2:
                grams.append(name[1:])
        return tuple(list(dict.fromkeys(words + grams))[:3])


def train(router: Router, examples: Sequence[tuple[str, str]]) -> LearnedModel | None:
    """Learn from (text, category code) examples; None while too few per category.

    CPU-bound (seconds for thousands of examples): call it in a worker thread.
    """
    return train_examples(examples, set(router._index), router.config.routing.learn_min_examples,
                          router.features, router.is_neutral)


def _bar(value: float, scale: float) -> str:
    return "#" * max(0, min(30, round(value / scale * 30))) if scale > 0 else ""


def explain(router: Router, text: str, *, address: str | None = None,
            location: tuple[float, float] | None = None) -> str:
    """A readable account of one routing decision (`lianxin routing explain`)."""
    a = router.analyse(text, address=address, location=location)
    d = a.decision
    routing = router.config.routing
    lines = [f"text:     {a.text}" + ("   (written in Traditional)" if a.traditional else ""),
             f"tokens:   {' / '.join(a.tokens)}"]
    if router.model is None:
        lines.append("model:    none (keywords only)")
    else:
        lines.append(f"model:    {router.model.identity}, learned from "
                     f"{sum(router.model.counts.values())} examples, "
                     f"weight {routing.learned_weight:g} per unit of probability"
                     + (", short text: mean of the whole-text and short-text heads"
                        if router.model.short is not None and is_short(a.text) else ""))
    lines.append("scores (combined = weight × learned where the model covers the category, "
                 "else keywords):")
    top = max(a.combined) if a.combined else 0.0
    for i in a.ranking:
        if a.combined[i] <= 0:
            continue
        category = router._categories[i]
        learned = f"  learned {a.learned[i]:.2f}" if a.learned is not None else ""
        hits = ", ".join(f"{a.keywords.written(w)}({router._scorer.points(w, i):.2g}"
                         + (f"×{routing.pinyin_factor:g}" if a.keywords.written(w) != w else "")
                         + (f"×{a.keywords.mentions(w):g}" if a.keywords.mentions(w) != 1 else "")
                         + ")" for w in a.keywords.hits[i])
        mark = "  [urgent]" if i in a.urgent_categories else ""
        lines.append(f"  {category.code:<18} {a.combined[i]:6.2f}  keywords "
                     f"{a.keywords.scores[i]:.2f}{learned}{mark}  {_bar(a.combined[i], top)}"
                     + (f"  ← {hits}" if hits else ""))
    if a.urgent_words:
        overruled = not a.urgent_categories and any(
            w in a.urgent_words for hits in a.keywords.hits for w in hits)
        lines.append(f"urgent:   {', '.join(a.urgent_words)}"
                     + (f" (the model's {max(a.learned or (0.0,)):.2f} overrules the urgent "
                        f"keyword's category, from {routing.urgent_overruled_at:g})"
                        if overruled else ""))
    lines.append(f"area:     {a.area.code} ({a.area.name})" if a.area else "area:     unknown")
    lines.append(f"thresholds: min_score {routing.min_score:g}, min_margin {routing.min_margin:g}"
                 + (f" (keywords); min_confidence {routing.min_confidence:g} (model)"
                    if router.model is not None else ""))
    if d.category is None:
        verdict = "triage (no category matched)"
    elif d.confident:
        verdict = f"dispatch {d.category} → {d.department}"
    elif d.department is None:
        verdict = f"triage: best {d.category} is territorial and the area is unknown"
    else:
        verdict = (f"triage: best {d.category} is below the model's min_confidence"
                   if a.learned is not None and a.learned[a.ranking[0]] > 0
                   and a.ranking[0] not in a.urgent_categories
                   else f"triage: best {d.category} is below the score or margin threshold")
    lines.append(f"decision: {verdict}")
    if d.matched_words:
        lines.append(f"why:      {', '.join(d.matched_words)}")
    if not d.confident and d.candidates:
        lines.append("candidates: " + ", ".join(
            f"{c.category}({c.score:g}→{c.department or '?'})" for c in d.candidates))
    return "\n".join(lines)

