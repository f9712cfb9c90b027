"""Short texts: the spans of a message that read like a title, and the model's short-text head."""

from __future__ import annotations

import io
import json
import struct
import zlib

import numpy as np
import pytest

from bot.routing import LearnedModel
from bot.routing.learned import Features, fit
from bot.routing.titles import (
    SHORT_CHARS,
    SPAN_SENTENCES,
    after_greeting,
    first_sentence,
    is_short,
    short_spans,
)


def test_first_sentence_ends_at_a_full_stop_and_is_cut_at_short_chars() -> None:
    assert first_sentence("路灯坏了。晚上太黑") == "路灯坏了"
    assert first_sentence("路灯坏了\n晚上太黑") == "路灯坏了"
    assert first_sentence("路" * 50) == "路" * SHORT_CHARS
    assert is_short("路" * SHORT_CHARS) and not is_short("路" * (SHORT_CHARS + 1))


def test_after_greeting_skips_an_address_to_an_official() -> None:
    assert after_greeting("尊敬的贺厅长：你好，我市社保卡迟迟不发") == "我市社保卡迟迟不发"
    assert after_greeting("各位领导好，小区停水三天") == "各位领导好，小区停水三天"  # not one
    assert after_greeting("您好！小区停水三天") == "小区停水三天"
    assert after_greeting("小区停水三天") == "小区停水三天"


def test_short_spans_are_the_first_sentence_then_sentences_after_the_greeting() -> None:
    text = ("尊敬的王局长：您好！本小区自来水停了三天。谢谢！"
            "物业说是管道坏了，没人来修；老人孩子都没水喝" + "真的" * 30 + "。")
    spans = short_spans(text)
    assert spans[0] == "尊敬的王局长：您好"            # the first sentence, as written
    assert spans[1] == "本小区自来水停了三天"          # the greeting is no sentence of its own
    assert "谢谢" not in spans                         # fewer than 6 characters
    assert spans[2] == "物业说是管道坏了，没人来修"      # ；ends a sentence
    assert len(spans[3]) == SHORT_CHARS and spans[3].startswith("老人孩子都没水喝")


def test_short_spans_are_distinct_and_bounded() -> None:
    assert short_spans("路灯坏了好几天了") == ["路灯坏了好几天了"]  # a short message: itself
    many = "。".join(f"第{i}盏路灯坏了很久" for i in range(30))
    assert len(short_spans(many)) == SPAN_SENTENCES  # the first sentence is the first of them
    assert len(short_spans("您好！" + many)) == SPAN_SENTENCES + 1  # 您好 and 8 after it
    assert short_spans("路灯坏了好几天了。路灯坏了好几天了。") == ["路灯坏了好几天了"]


def _doc(words: list[str]) -> Features:
    return Features(tuple(words), np.empty(0, np.uint64))


@pytest.fixture(scope="module")
def disagreeing() -> LearnedModel:
    """Whole texts: `wx` marks class a; short spans: `wx` marks class b."""
    rng = np.random.default_rng(1)
    noise = [f"wn{i}" for i in range(20)]
    documents, labels, short = [], [], []
    for i in range(200):
        label = "ab"[i % 2]
        mark = ["wx"] if label == "a" else ["wy"]
        documents.append(_doc(mark + list(rng.choice(noise, 8))))
        labels.append(label)
        short.append((_doc((["wy"] if label == "a" else ["wx"]) + list(rng.choice(noise, 2))),
                      label))
    return fit(documents, labels, short=short)


def test_a_short_text_is_judged_by_both_heads(disagreeing: LearnedModel) -> None:
    text = _doc(["wx"])
    assert disagreeing.short is not None
    whole = disagreeing.probabilities(text)
    both = disagreeing.probabilities(text, short=True)
    assert whole[disagreeing.classes.index("a")] > 0.5          # the whole-text head: a
    only_short = LearnedModel(disagreeing.classes, disagreeing.words, disagreeing.chars,
                              disagreeing.idf, disagreeing.short.weights,
                              disagreeing.short.bias, disagreeing.counts,
                              disagreeing.short.temperature)
    assert only_short.probabilities(text)[disagreeing.classes.index("b")] > 0.5
    assert both == pytest.approx((whole + only_short.probabilities(text)) / 2)


def test_no_short_head_when_the_spans_miss_a_class() -> None:
    documents = [_doc(["wx"]), _doc(["wy"])] * 20
    labels = ["a", "b"] * 20
    model = fit(documents, labels, short=[(_doc(["wx"]), "a")] * 10)
    assert model.short is None
    assert model.probabilities(_doc(["wx"]), short=True) == pytest.approx(
        model.probabilities(_doc(["wx"])))


def test_the_short_head_survives_the_stored_form(disagreeing: LearnedModel) -> None:
    loaded = LearnedModel.from_bytes(disagreeing.to_bytes())
    assert loaded.short is not None and disagreeing.short is not None
    assert np.array_equal(loaded.short.weights, disagreeing.short.weights)
    assert loaded.short.temperature == disagreeing.short.temperature
    text = _doc(["wx", "wn3"])
    assert loaded.probabilities(text, short=True) == pytest.approx(
        disagreeing.probabilities(text, short=True))


def test_a_format_4_model_without_short_head_still_loads(disagreeing: LearnedModel) -> None:
    # Format 4, as stored before the short-text head: the same header and arrays, no head.
    names = sorted(disagreeing.words, key=disagreeing.words.__getitem__)
    header = json.dumps({"classes": list(disagreeing.classes), "words": names,
                         "counts": disagreeing.counts,
                         "temperature": disagreeing.temperature}).encode()
    body = io.BytesIO()
    body.write(struct.pack("<I", len(header)) + header)
    np.save(body, disagreeing.chars.astype("<u8"))
    for array in (disagreeing.idf, disagreeing.weights, disagreeing.bias):
        np.save(body, array.astype("<f4"))
    old = (b"LIANXIN-ROUTING-MODEL\n" + struct.pack("<I", 4)
           + zlib.compress(body.getvalue()))
    loaded = LearnedModel.from_bytes(old)
    assert loaded.short is None
    text = _doc(["wx"])
    assert loaded.probabilities(text, short=True) == pytest.approx(
        disagreeing.probabilities(text))
