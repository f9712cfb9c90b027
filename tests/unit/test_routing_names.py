"""The office's own names as weak keywords, and the keyword rules for long petitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import parse_config
from bot.routing import Router
from bot.routing.names import name_words

CONFIG = {
    "departments": [
        {"code": "ecology", "name": "生态环境局"},
        {"code": "hrss", "name": "人力资源和社会保障局"},
    ],
    "categories": [
        {"code": "environment", "name": "环境保护", "department": "ecology",
         "keywords": ["污染", "噪音"]},
        {"code": "labour", "name": "劳动保障", "department": "hrss",
         "keywords": ["工资", "社保"]},
    ],
    "routing": {"min_score": 0.4, "min_margin": 0.01, "keyword_rarity": 0},
}


def _router(tmp_path: Path, **routing: float) -> Router:
    data = {**CONFIG, "routing": {**CONFIG["routing"], **routing}}
    return Router.build(parse_config(data, "test"), tmp_path)


def test_name_words_split_long_words_into_dictionary_halves() -> None:
    split = {"交通运输局": ["交通运输", "局"], "委员会": ["委员会"]}
    known = {"交通", "运输"}.__contains__
    assert name_words(["交通运输局", "委员会"], split.__getitem__, known) == [
        "交通运输", "交通", "运输"]


def test_a_half_that_is_no_word_is_left_out() -> None:
    assert name_words(["城乡建设"], lambda n: [n], {"城乡"}.__contains__) == ["城乡建设"]


def test_a_department_named_without_any_keyword_routes_there(tmp_path: Path) -> None:
    # No keyword of either category; 环境 is a word of the category's own name.
    decision = _router(tmp_path).classify("附近冶炼厂对环境的破坏越来越大,请尽快处理")
    assert decision.category == "environment" and decision.confident
    assert decision.matched_words == ("环境",)


def test_name_words_weigh_less_than_a_keyword(tmp_path: Path) -> None:
    # 劳动 (a name word, 0.5) against 噪音 (a keyword, 1.0): the keyword wins.
    decision = _router(tmp_path).classify("工地噪音很大,劳动者也在休息")
    assert decision.category == "environment"


def test_name_weight_zero_turns_the_names_off(tmp_path: Path) -> None:
    decision = _router(tmp_path, name_weight=0).classify("附近冶炼厂对环境的破坏越来越大")
    assert decision.category is None and not decision.confident


@pytest.mark.parametrize("word", ["污染", "工资"])
def test_a_configured_keyword_keeps_its_own_weight(tmp_path: Path, word: str) -> None:
    router = _router(tmp_path)
    index = 0 if word == "污染" else 1
    assert router._scorer.weight(word, index) == 1.0


def test_the_opening_sentence_names_the_subject(tmp_path: Path) -> None:
    # One keyword each; the one in the opening sentence counts 1.5 and wins.
    router = _router(tmp_path, name_weight=0)
    a = router.analyse("拖欠工资三个月了。工地的噪音也很大,但主要是钱的问题")
    codes = [c.code for c in router.config.categories]
    assert a.keywords.scores[codes.index("labour")] == pytest.approx(1.5)
    assert a.keywords.scores[codes.index("environment")] == pytest.approx(1.0)
    assert a.decision.category == "labour" and a.decision.confident


def test_a_one_sentence_message_is_all_opening(tmp_path: Path) -> None:
    a = _router(tmp_path, name_weight=0).analyse("拖欠工资,噪音也很大")
    assert a.keywords.scores == pytest.approx((1.0, 1.0))


def test_a_named_authority_counts_twice(tmp_path: Path) -> None:
    # 社保局 names the authority: 社保 counts 2 there, against 污染 written once.
    router = _router(tmp_path, name_weight=0)
    a = router.analyse("我们去了社保局反映。厂里的污染问题他们说不归他们管")
    codes = [c.code for c in router.config.categories]
    assert a.keywords.scores[codes.index("labour")] == pytest.approx(2.0 * 1.5)
    assert a.keywords.scores[codes.index("environment")] == pytest.approx(1.0)
    assert a.decision.category == "labour"


def test_a_repeated_keyword_counts_each_time(tmp_path: Path) -> None:
    a = _router(tmp_path, name_weight=0).analyse("污染,污染,还是污染。")
    assert a.keywords.scores[0] == pytest.approx(3.0)
