"""Routing rules on a small hand-made config: margin, territorial areas, urgency, learning."""

from __future__ import annotations

import io
import pickle
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.config import Config, parse_config
from bot.routing import Candidate, LearnedModel, Router, explain, train

CONFIG = {
    "departments": [
        {"code": "lights_dept", "name": "路灯所"},
        {"code": "roads_dept", "name": "道路所"},
        {"code": "noise_dept", "name": "环保所"},
        {"code": "east_office", "name": "东风居委会"},
        {"code": "west_office", "name": "西山居委会"},
    ],
    "categories": [
        {"code": "lights", "name": "路灯", "department": "lights_dept",
         "keywords": ["路灯", "灯不亮", {"word": "晚上", "weight": 1.0}]},
        {"code": "roads", "name": "道路", "department": "roads_dept",
         "keywords": ["坑洼", "路面", "塌陷"]},
        {"code": "noise", "name": "噪音", "department": "noise_dept",
         "keywords": ["噪音", {"word": "施工", "weight": 0.5}]},
        {"code": "dispute", "name": "邻里纠纷", "department": "territorial",
         "keywords": ["邻居", "纠纷"]},
    ],
    "areas": [
        {"code": "east", "name": "东风社区", "aliases": ["东风", "东风小区"],
         "unit": "east_office", "center": [39.9000, 116.4000]},
        {"code": "west", "name": "西山社区", "aliases": ["西山"], "unit": "west_office",
         "center": [39.9700, 116.3200],
         "polygon": [[39.95, 116.30], [39.95, 116.35], [39.99, 116.35], [39.99, 116.30]]},
    ],
    "routing": {"min_score": 1.0, "min_margin": 0.5, "keyword_rarity": 0,
                "urgent_words": ["塌陷", "燃气"],
                "learn_min_examples": 5, "area_radius_km": 3.0},
}

# Noise complaints that never use the noise keywords: only a model can learn them.
NOISE = ["楼下装修电钻响个不停", "电钻声音太大了受不了", "隔壁装修天天电钻", "装修电钻从早到晚",
         "电钻砸墙声音吵死人", "周末一早装修电钻就响", "电钻打墙太响了"]
LIGHTS = ["路灯不亮了", "小区路灯坏了", "路灯灯不亮好几天", "这条街路灯全黑", "路灯坏了没人修",
          "门口路灯一闪一闪"]
ROADS = ["路面有坑洼", "马路坑洼不平", "路面破了个大洞", "路面坑洼积水", "路面开裂坑洼",
         "人行道路面塌了"]
DISPUTES = ["和邻居有纠纷", "邻居占用楼道起纠纷", "邻居纠纷调解", "跟邻居吵起来了有纠纷",
            "邻居家漏水纠纷"]
EXAMPLES = ([(t, "noise") for t in NOISE] + [(t, "lights") for t in LIGHTS]
            + [(t, "roads") for t in ROADS] + [(t, "dispute") for t in DISPUTES])
WEAK = "晚上楼下装修电钻响"  # 晚上 is a weak lights keyword; the words say noise


@pytest.fixture(scope="module")
def config() -> Config:
    return parse_config(CONFIG, "test")


@pytest.fixture(scope="module")
def router(config: Config, tmp_path_factory: pytest.TempPathFactory) -> Router:
    return Router.build(config, tmp_path_factory.mktemp("routing_data"))


@pytest.fixture(scope="module")
def model(router: Router) -> LearnedModel:
    learned = train(router, EXAMPLES)
    assert learned is not None
    return learned


def test_a_keyword_counts_each_time_it_is_written(router: Router) -> None:
    # A petition that keeps coming back to the lights, naming the road surface once.
    text = "路灯不亮,晚上看不见路面。路灯坏了一个月,路灯下面一片黑"
    keywords = router.analyse(text).keywords
    # Three times, the first in the opening sentence (1.5): 3.5 mentions.
    assert keywords.mentions("路灯") == 3.5
    assert keywords.mentions("路面") == 1.5
    decision = router.classify(text)
    assert (decision.category, decision.confident) == ("lights", True)


def test_a_longer_keyword_says_more(router: Router) -> None:
    from bot.routing.score import specificity

    assert specificity("灯不亮") > specificity("路灯") == specificity("坑") == 1.0
    # 灯不亮 (lights) against 路面 (roads): the three-character keyword wins.
    decision = router.classify("路面那边灯不亮")
    assert decision.category == "lights"
    assert decision.candidates[0].score > decision.candidates[1].score


def test_between_equal_scores_the_category_named_first_wins(router: Router) -> None:
    # One keyword each: the subject comes first, the rest is mentioned in passing.
    assert router.classify("噪音很大,旁边有坑洼").category == "noise"
    assert router.classify("坑洼很多,旁边有噪音").category == "roads"
    tie = router.classify("坑洼很多,旁边有噪音")
    assert not tie.confident  # min_margin 0.5: an equal score is still a tie to triage


def test_classify_from_worker_threads_agrees_with_one_thread(router: Router,
                                                             model: LearnedModel) -> None:
    learned = router.with_model(model)
    texts = [WEAK, "路面坑洼", "邻居纠纷", "小区路灯不亮", "附近施工", "你好"] * 20
    alone = [learned.classify(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(learned.classify, texts)) == alone


def test_clear_keyword_routes_to_department(router: Router) -> None:
    decision = router.classify("小区路灯不亮")
    assert (decision.category, decision.department, decision.confident) == (
        "lights", "lights_dept", True)
    assert decision.matched_words == ("路灯",) or set(decision.matched_words) == {"路灯", "灯不亮"}


def test_score_below_minimum_goes_to_triage(router: Router) -> None:
    decision = router.classify("附近施工")  #施工 weighs 0.5 < min_score 1.0
    assert decision.category == "noise"
    assert not decision.confident
    assert decision.candidates == (Candidate("noise", 0.5, "noise_dept"),)


def test_small_margin_goes_to_triage_with_three_candidates(router: Router) -> None:
    decision = router.classify("路灯下面的路面坑洼，还有噪音")
    # roads 2.0 (路面, 坑洼) vs lights 1.0 would pass; make it a tie: one word each.
    assert decision.confident
    tie = router.classify("路灯旁边有坑洼，还有噪音")
    assert not tie.confident
    assert tie.department in {"lights_dept", "roads_dept", "noise_dept"}
    assert {c.category for c in tie.candidates} == {"lights", "roads", "noise"}
    assert all(c.score == 1.0 for c in tie.candidates)
    assert len(tie.candidates) == 3


def test_nothing_matched(router: Router) -> None:
    decision = router.classify("你好")
    assert decision.category is None and decision.department is None
    assert not decision.confident and decision.candidates == ()


def test_territorial_unit_from_alias_in_address(router: Router) -> None:
    decision = router.classify("邻居纠纷", address="东风小区3号楼")
    assert (decision.area, decision.department, decision.confident) == (
        "east", "east_office", True)


def test_territorial_unit_from_area_named_in_text(router: Router) -> None:
    decision = router.classify("西山社区这边跟邻居有纠纷")
    assert (decision.area, decision.department, decision.confident) == (
        "west", "west_office", True)
    assert "社区" not in decision.matched_words


def test_territorial_unit_from_location_polygon_and_centre(router: Router) -> None:
    in_polygon = router.classify("邻居纠纷", location=(39.96, 116.31))
    assert (in_polygon.area, in_polygon.department) == ("west", "west_office")
    near_centre = router.classify("邻居纠纷", location=(39.91, 116.41))  # ~1.4 km away
    assert (near_centre.area, near_centre.department, near_centre.confident) == (
        "east", "east_office", True)


def test_unknown_area_goes_to_triage(router: Router) -> None:
    far = router.classify("邻居纠纷", location=(31.23, 121.47))  # Shanghai
    assert far.area is None and far.department is None and not far.confident
    assert far.category == "dispute"
    assert far.candidates == (Candidate("dispute", 2.0, None),)
    # Outside the west polygon and > 3 km from the east centre.
    assert router.classify("邻居纠纷", location=(39.96, 116.37)).area is None


def test_address_wins_over_location(router: Router) -> None:
    decision = router.classify("邻居纠纷", address="西山", location=(39.90, 116.40))
    assert decision.department == "west_office"


def test_urgent_words_mark_urgent(router: Router) -> None:
    decision = router.classify("楼道里一股燃气味")
    assert decision.urgent and decision.urgent_words == ("燃气",)
    assert decision.category is None  # urgent, but no category keyword: triage, flagged
    assert not router.classify("路灯不亮").urgent


def test_learned_model_overrides_weak_keyword_guess(router: Router,
                                                    model: LearnedModel) -> None:
    keywords_only = router.classify(WEAK)
    assert (keywords_only.category, keywords_only.confident) == ("lights", True)
    learned = router.with_model(model).classify(WEAK)
    assert (learned.category, learned.department, learned.confident) == (
        "noise", "noise_dept", True)
    assert "电钻" in learned.matched_words  # no keyword: the model's words explain it


def test_urgent_keyword_wins_over_model(router: Router, model: LearnedModel) -> None:
    text = "装修电钻响，楼下地面塌陷"
    learned = router.with_model(model)
    assert learned.analyse(text).learned is not None
    decision = learned.classify(text)
    assert (decision.category, decision.confident, decision.urgent) == ("roads", True, True)


def _with_routing(config: Config, router: Router, **routing: float) -> Router:
    """`router`'s config with other `routing` settings (same jieba cache)."""
    changed = config.model_copy(update={"routing": config.routing.model_copy(update=routing)})
    return Router.build(changed, Path(router._segmenter._tokenizer.tmp_dir))


def test_a_model_sure_of_another_category_overrules_an_urgent_keyword(
        config: Config, router: Router, model: LearnedModel) -> None:
    # 塌陷 is an urgent roads keyword; the words say noise. Below the model's threshold
    # the keyword's category ranks first; from it the model's category does. Urgent always.
    text = "装修电钻响，楼下地面塌陷"
    analysis = router.with_model(model).analyse(text)
    noise = analysis.learned[router._index["noise"]]  # type: ignore[index]
    assert analysis.decision.category == "roads" and noise < 0.9
    sure = _with_routing(config, router, urgent_overruled_at=noise).with_model(model)
    decision = sure.classify(text)
    assert (decision.category, decision.urgent, decision.urgent_words) == (
        "noise", True, ("塌陷",))
    assert "overrules the urgent keyword's category" in explain(sure, text)
    unsure = _with_routing(config, router, urgent_overruled_at=noise + 0.01).with_model(model)
    assert unsure.classify(text).category == "roads"


def test_short_texts_are_judged_with_the_short_text_head(router: Router,
                                                         model: LearnedModel) -> None:
    assert model.short is not None   # learned from the examples' short spans
    learned = router.with_model(model)
    columns = [router._index[code] for code in model.classes]
    for text, short in [(WEAK, True), ("楼下装修电钻响个不停。" * 5, False)]:
        expected = model.probabilities(router.features(text), short)
        assert [learned.analyse(text).learned[i] for i in columns] == pytest.approx(
            list(expected))  # type: ignore[index]
        assert ("short text: mean" in explain(learned, text)) is short
    assert not np.allclose(model.probabilities(router.features(WEAK), True),
                           model.probabilities(router.features(WEAK)))


def test_train_needs_enough_examples_per_category(router: Router) -> None:
    assert train(router, EXAMPLES[:3]) is None  # one category, three examples
    # Categories below learn_min_examples are left out, the others learned.
    partial = train(router, [(t, "noise") for t in NOISE] + [(t, "lights") for t in LIGHTS]
                    + [("路面坑洼", "roads")])
    assert partial is not None and set(partial.classes) == {"noise", "lights"}


def test_model_bytes_round_trip_across_restart(config: Config, router: Router,
                                               model: LearnedModel, tmp_path: Path) -> None:
    data = model.to_bytes()
    restarted = Router.build(config, tmp_path, LearnedModel.from_bytes(data))
    before = router.with_model(model)
    for text in [WEAK, "路面坑洼", "邻居纠纷", "电钻", "你好"]:
        assert restarted.classify(text) == before.classify(text)
    assert LearnedModel.from_bytes(data).to_bytes() == data


def test_model_identity_follows_its_content(router: Router, model: LearnedModel) -> None:
    again = train(router, EXAMPLES)
    assert again is not None and again.to_bytes() == model.to_bytes()  # deterministic
    assert again.identity == model.identity == LearnedModel.from_bytes(
        model.to_bytes()).identity
    other = train(router, [*EXAMPLES, ("电钻又响了", "noise")])
    assert other is not None and other.identity != model.identity
    assert LearnedModel.format_version == struct.unpack_from(
        "<I", model.to_bytes(), len(b"LIANXIN-ROUTING-MODEL\n"))[0]


def test_scores_are_calibrated_on_held_out_examples() -> None:
    from bot.routing.learned import Features, fit

    rng = np.random.default_rng(0)
    vocab = {"a": [f"wa{i}" for i in range(30)], "b": [f"wb{i}" for i in range(30)]}

    def doc(label: str) -> Features:
        words = list(rng.choice(vocab[label], 6)) + list(rng.choice(vocab["a"] + vocab["b"], 4))
        return Features(tuple(words), np.empty(0, np.uint64))

    labels = ["a", "b"] * 150
    documents = [doc(label) for label in labels]
    noisy = [label if rng.random() > 0.3 else ("b" if label == "a" else "a")
             for label in labels]
    clean_model, noisy_model = fit(documents, labels), fit(documents, noisy)
    # Labels that are 30% wrong must make the model less sure of itself.
    assert noisy_model.temperature < clean_model.temperature
    sure = clean_model.probabilities(documents[0]).max()
    unsure = noisy_model.probabilities(documents[0]).max()
    assert 0.5 < unsure < sure


def test_model_bytes_refuse_anything_else(model: LearnedModel) -> None:
    data = model.to_bytes()
    with pytest.raises(ValueError, match="not a Lianxin"):
        LearnedModel.from_bytes(pickle.dumps(model))
    head = len(b"LIANXIN-ROUTING-MODEL\n")
    with pytest.raises(ValueError, match="format 99"):
        LearnedModel.from_bytes(data[:head] + struct.pack("<I", 99) + data[head + 4:])
    with pytest.raises(ValueError, match="damaged"):
        LearnedModel.from_bytes(data[:head + 4] + b"garbage")
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        LearnedModel.from_bytes(data[:head + 4] + buffer.getvalue())


def test_model_for_removed_category_is_ignored(config: Config, model: LearnedModel,
                                               tmp_path: Path) -> None:
    fewer = dict(CONFIG, categories=[c for c in CONFIG["categories"] if c["code"] != "noise"])
    router = Router.build(parse_config(fewer, "test"), tmp_path, model)
    decision = router.classify(WEAK)
    assert decision.category != "noise"


def test_explain_shows_tokens_scores_and_decision(router: Router, model: LearnedModel) -> None:
    text = explain(router.with_model(model), WEAK)
    assert "tokens:   晚上 / 楼下 / 装修 / 电钻 / 响" in text
    assert "noise" in text and "learned" in text
    assert "decision: dispatch noise → noise_dept" in text
    assert model.identity in text
    keywords_only = explain(router, "路灯旁边有坑洼，还有噪音")
    assert "keywords only" in keywords_only and "triage" in keywords_only


def test_a_keyword_common_in_general_chinese_says_less() -> None:
    from bot.routing.score import specificity

    # Without rarity, frequency does not matter; with it, a common word counts less.
    assert specificity("文化", 50_000) == specificity("黑臭", 0) == 1.0
    assert specificity("文化", 50_000, 0.1) < specificity("黑臭", 0, 0.1) == 1.0
    assert specificity("文化", 50_000, 0.1) < specificity("文化", 500, 0.1)


def test_keyword_rarity_discounts_a_common_keyword(config: Config,
                                                   tmp_path_factory: pytest.TempPathFactory,
                                                   ) -> None:
    # 噪音 and 坑 weigh 1 each; with rarity the one common in general Chinese weighs less,
    # so the tie that the category named first would win goes to the rarer keyword.
    rare = config.model_copy(update={"routing": config.routing.model_copy(
        update={"keyword_rarity": 0.5})})
    router = Router.build(rare, tmp_path_factory.mktemp("rarity"))
    scores = router.analyse("噪音很大,旁边有坑洼").keywords.scores
    codes = [c.code for c in rare.categories]
    assert 0 < scores[codes.index("noise")] < 1.0
    points = router._scorer.points
    assert points("噪音", codes.index("noise")) == pytest.approx(scores[codes.index("noise")])


def test_with_a_model_triage_follows_its_probability(config: Config, router: Router,
                                                     model: LearnedModel) -> None:
    # The model's calibrated probability decides, not keyword-scale thresholds.
    text = "楼下装修电钻响个不停"
    learned = router.with_model(model)
    probability = max(learned.analyse(text).learned or (0.0,))
    assert learned.classify(text).confident
    doubtful = _with_routing(config, router, min_confidence=min(1.0, probability + 0.01)
                             ).with_model(model)
    decision = doubtful.classify(text)
    assert decision.category == "noise" and not decision.confident
    assert "min_confidence" in explain(doubtful, text)
