"""Routing with the demo config: normalisation, segmentation, urgency, eval and its CSV."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.routing import (
    Router,
    evaluate,
    explain,
    is_traditional,
    normalise,
    read_labelled_csv,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "routing_fixture.csv"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ROOT / "bot" / "demo_config.yaml")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("routing_data")


@pytest.fixture(scope="module")
def router(config: Config, data_dir: Path) -> Router:
    return Router.build(config, data_dir)


def test_normalise_traditional_to_simplified() -> None:
    assert normalise("我們社區的路燈壞了") == "我们社区的路灯坏了"


def test_normalise_full_width_and_whitespace() -> None:
    text = "　３号楼\u3000ＡＢ单元，电梯坏了！ \n\n 快修 "
    assert normalise(text) == "3号楼 AB单元,电梯坏了! 快修"


def test_normalise_removes_emoji() -> None:
    assert normalise("路灯坏了😡👍🏻 ❤️ 🇨🇳晚上太黑⚡") == "路灯坏了 晚上太黑"


def test_traditional_detection() -> None:
    assert is_traditional("我們社區的路燈壞了，晚上很黑")
    assert not is_traditional("我们社区的路灯坏了，晚上很黑")
    assert not is_traditional("著名的路灯")  # 著 stays: Simplified text is not flagged


def test_decision_reports_traditional_and_scores_normalised_text(router: Router) -> None:
    decision = router.classify("我們社區的路燈壞了，晚上很黑")
    assert decision.traditional
    assert decision.text == "我们社区的路灯坏了,晚上很黑"
    assert (decision.category, decision.department) == ("streetlight", "municipal")
    assert not router.classify("我们社区的路灯坏了").traditional


@pytest.mark.parametrize("term", ["加装电梯", "下水道", "井盖", "低保", "卫生死角"])
def test_user_dictionary_keeps_terms_whole(router: Router, term: str) -> None:
    text = f"我们楼申请{term}的事情一直没人管" if term != "井盖" else "门口下水道井盖丢了"
    assert term in router.tokens(text)


def test_stock_dictionary_would_split_them(data_dir: Path) -> None:
    # What the user dictionary is for: without it jieba splits 加装电梯 into 加装 / 电梯.
    from bot.routing.segment import Segmenter

    assert Segmenter(data_dir, []).tokens("申请加装电梯") == ["申请", "加装", "电梯"]


def test_jieba_cache_lives_in_data_dir(router: Router, data_dir: Path) -> None:
    assert (data_dir / "jieba.cache").is_file()


def test_urgent_words(router: Router) -> None:
    gas = router.classify("楼道里有很大的燃气味，怕漏气")
    assert gas.urgent and set(gas.urgent_words) == {"燃气", "漏气"}
    assert (gas.category, gas.confident) == ("gas", True)
    fire = router.classify("电动车着火冒烟了")
    assert fire.urgent and {"着火", "冒烟"} <= set(fire.urgent_words)
    assert not router.classify("路灯坏了").urgent


def test_territorial_category_with_demo_areas(router: Router) -> None:
    decision = router.classify("楼上邻居半夜吵架", address="和平里5号楼")
    assert (decision.category, decision.department, decision.area) == (
        "neighbour_dispute", "heping_office", "heping")
    assert decision.confident
    unknown = router.classify("楼上邻居半夜吵架")
    assert unknown.department is None and not unknown.confident


def test_explain_lists_tokens_scores_and_decision(router: Router) -> None:
    text = explain(router, "小区门口的路灯坏了")
    assert "tokens:   小区 / 门口 / 的 / 路灯" in text
    assert re.search(r"streetlight\s+\d+\.\d\d\s+keywords", text)
    assert text.splitlines()[-2].startswith("decision: dispatch streetlight → municipal")


def test_read_labelled_csv(config: Config) -> None:
    rows = read_labelled_csv(FIXTURE, config)
    assert len(rows) == 10
    assert rows[3] == ("我家停水两天了\n自来水一直没来", "water_supply")


def test_read_labelled_csv_names_file_and_line(config: Config, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('text,category\n路灯坏了,streetlight\n"两行\n文字",streetlight\n井盖丢了,sewers\n',
                   encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{bad}:5: unknown category 'sewers'")):
        read_labelled_csv(bad, config)
    header = tmp_path / "header.csv"
    header.write_text("content,label\n路灯坏了,streetlight\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{header}:1: the header must be")):
        read_labelled_csv(header, config)


def test_evaluate_fixture(config: Config, data_dir: Path) -> None:
    report = evaluate(config, data_dir, read_labelled_csv(FIXTURE, config))
    lines = report.format().splitlines()
    assert re.fullmatch(r"accuracy=\d\.\d{3} macro_f1=\d\.\d{3} triage=\d\.\d{3} per_s=\d+",
                        lines[-1])
    # Nine clear requests routed right; the greeting labelled garbage goes to triage:
    # macro-F1 = (8 × 1.0 + garbage 0.667) / 9.
    assert lines[-1].startswith("accuracy=0.900 macro_f1=0.963 triage=0.100 per_s=")
    assert "  garbage -> (triage): 1" in lines
    assert any(line.startswith("garbage ") and "1.000   0.500" in line for line in lines)


def test_one_character_keyword_not_inside_a_common_word(router: Router) -> None:
    # 电 (power) inside 电话, 报 (medical insurance) inside 报纸: words of their own.
    found = router.analyse("我打了好几次电话,报纸上也登了").keywords.found
    assert "电" not in found and "报" not in found
    # ... but inside a rare compound it still counts: a 土狗 is a dog.
    assert "狗" in router.analyse("小区里有条土狗").keywords.found


def test_keyword_straddling_two_common_words_is_no_hit(router: Router) -> None:
    # 调解 (neighbour dispute) across 协调 / 解决, a stock phrase of every petition.
    assert "调解" not in router.analyse("希望领导能够重视,早日协调解决").keywords.found
    assert "调解" in router.analyse("请居委会帮忙调解一下").keywords.found
    # A keyword glued to a keyword neighbour still counts (灯坏 inside 路灯 / 坏了).
    assert "灯坏" in router.analyse("路灯坏了").keywords.found


def test_model_features_are_words_characters_and_keyword_hits(router: Router) -> None:
    from bot.routing.learned import key_text

    feats = router.features("路灯坏了,井盖丢了")
    assert {"w路灯", "w井盖", "kstreetlight"} <= set(feats.words)
    grams = {key_text(int(k)) for k in feats.chars}
    assert {"路", "路灯", "灯坏了", "井盖丢"} <= grams
    assert "了井" not in grams  # no n-gram across the comma
    assert feats == router.features("路灯坏了,井盖丢了")
    assert feats != router.features("路灯坏了")


def test_training_wraps_short_examples_in_neutral_sentences(router: Router) -> None:
    from bot.routing.learned import wrapped_in_neutral

    neutral = ["尊敬的领导您好!", "我是这里的老住户。", "恳请尽快答复!", "谢谢领导!",
               "我们等了很久了。", "以上情况属实。"]
    rows = [(" ".join(neutral), "streetlight"), ("路灯坏了", "streetlight"),
            ("井盖丢了", "sewer"), ("长" * 100 + "井盖", "sewer")]
    wrapped = wrapped_in_neutral(rows, router.is_neutral)
    assert [c for _, c in wrapped] == ["streetlight", "streetlight", "sewer"]  # short ones
    assert "路灯坏了" in wrapped[1][0] and len(wrapped[1][0]) > len("路灯坏了")
    assert wrapped == wrapped_in_neutral(rows, router.is_neutral)  # deterministic
    assert not router.is_neutral("路灯坏了") and router.is_neutral("谢谢领导!")


@pytest.mark.parametrize(("text", "category", "written"), [
    ("路等不亮", "streetlight", "路等(路灯)"),
    ("门口路登坏了", "streetlight", "路登(路灯)"),
    ("下水到堵了", "sewer", "下水到(下水道)"),
    ("电题坏了好几天", "elevator", "电题(电梯)"),
])
def test_homophone_typo_hits_keyword_through_pinyin(router: Router, text: str,
                                                    category: str, written: str) -> None:
    decision = router.classify(text)
    assert (decision.category, decision.confident) == (category, True)
    assert written in decision.matched_words  # the staff see what the resident wrote


def test_pinyin_hit_weighs_less_than_the_keyword(router: Router, config: Config) -> None:
    typo = router.analyse("电题").keywords
    right = router.analyse("电梯").keywords
    index = [c.code for c in config.categories].index("elevator")
    assert typo.heard == (("电梯", "电题"),) and right.heard == ()
    assert typo.scores[index] == pytest.approx(config.routing.pinyin_factor * right.scores[index])


@pytest.mark.parametrize("text", [
    "23路等了40分钟一辆都不来",  # 路 after a number is a bus line, then 等
    "不良商家",                  # a word of its own (bu liang), no mistyped 不亮
    "午夜还在吵",                # 午夜 is no mistyped 物业
    "地上的水",                  # 的水 (de shui): a function character is no typo of 滴水
    "小区里有只白鹅",            # 白鹅 is no 白蚁 (bai e / bai yi), nor 鹅 a 蛾
])
def test_pinyin_does_not_hear_keywords_in_ordinary_words(router: Router, text: str) -> None:
    assert router.analyse(text).keywords.heard == ()


def test_one_character_homophone_is_no_hit(router: Router) -> None:
    # 等 sounds like the keyword 灯 (deng): one character alone is never heard.
    keywords = router.analyse("我在门口等你").keywords
    assert keywords.heard == () and "灯" not in keywords.found
    assert router.analyse("路等").keywords.heard == (("路灯", "路等"),)


def test_pinyin_matching_can_be_turned_off(config: Config, data_dir: Path) -> None:
    off = config.model_copy(update={"routing": config.routing.model_copy(
        update={"pinyin_factor": 0.0})})
    assert Router.build(off, data_dir).analyse("路等不亮").keywords.heard == ()


def test_explain_shows_the_typo_and_its_keyword(router: Router) -> None:
    assert "路等(路灯)(1×0.8)" in explain(router, "路等不亮")


def test_eval_command_takes_config_after_the_action(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIANXIN_CONFIG", raising=False)
    monkeypatch.setenv("LIANXIN_DATA_DIR", str(tmp_path / "data"))
    config = str(ROOT / "bot" / "demo_config.yaml")
    assert main(["routing", "eval", "--config", config, "--test", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("accuracy=0.900 macro_f1=0.963")
    assert main(["routing", "--config", config, "explain", "路灯坏了"]) == 0
    assert "dispatch streetlight" in capsys.readouterr().out
