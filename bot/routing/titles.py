"""Short texts: a title, a one-line chat message, and the spans of a long 留言 that read
like one (what the learned model's short-text head learns from, `learned.fit`).

A resident's title or chat message says in a few words what a petition says in
paragraphs, after greetings (尊敬的贺厅长：你好，…) and who writes. A model learned from
whole petitions spreads its weights over all of that; the short-text head learns from
sentences alone (on the 网络问政 corpus it lifts macro-F1 on first sentences by ~0.03).
"""

from __future__ import annotations

import re

# Up to this many characters a text is short: a title or a one-line message.
SHORT_CHARS = 40
# Sentences learned per message after its first: a petition's opening says most.
SPAN_SENTENCES = 8
_SPAN_MIN_CHARS = 6     # shorter pieces (您好, 谢谢) name nothing
_FIRST_END = re.compile(r"[。！？!?\n]")
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")

# A leading greeting or address to an official: 尊敬的贺厅长：你好，/ 各位领导好，/ 您好！
GREETING = re.compile(
    r"(?:\s*(?:尊敬的)?[^，。,！？!?；;：:\s]{0,16}"
    r"(?:领导|厅长|局长|市长|省长|书记|主任|县长|区长|镇长|部长|同志|政府|负责人)们?"
    r"(?:您好|你好)?\s*[：:，,！!。]"
    r"|\s*尊敬的[^，。,！？!?；;：:]{0,20}[：:，,！!]"
    r"|\s*(?:您|你)们?好\s*[：:，,！!。；;]?)+")


def is_short(text: str) -> bool:
    """Whether `text` (normalised) is short: at most SHORT_CHARS characters."""
    return len(text) <= SHORT_CHARS


def first_sentence(text: str) -> str:
    """`text` up to its first 。！？!? or line break, at most SHORT_CHARS characters."""
    end = _FIRST_END.search(text)
    return (text[:end.start()] if end else text)[:SHORT_CHARS]


def after_greeting(text: str) -> str:
    """`text` without a leading greeting or address to an official (`GREETING`)."""
    greeting = GREETING.match(text)
    return text[greeting.end():] if greeting else text


def short_spans(text: str) -> list[str]:
    """The short texts a message holds, distinct, in order: its first sentence, then up to
    SPAN_SENTENCES sentences (ending at 。！？!?；; or a line break) after a leading
    greeting, each of at least 6 characters and cut at SHORT_CHARS. A short message is
    its own first span."""
    spans = [first_sentence(text).strip()]
    for sentence in _SENTENCE_END.split(after_greeting(text)):
        sentence = sentence.strip()
        if len(sentence) >= _SPAN_MIN_CHARS:
            spans.append(sentence[:SHORT_CHARS])
            if len(spans) > SPAN_SENTENCES:
                break
    return [span for span in dict.fromkeys(spans) if span]
