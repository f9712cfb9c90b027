"""The office's own names as weak keywords: what a resident writes when no keyword fits.

A petition often names the department or the field it is about (对环境的破坏, 违反劳动法,
请住房部门处理) without any of the office's keywords. The words of each category's name and
of its department's name (城乡建设 / 住房和城乡建设局: 城乡建设, 城乡, 建设, 住房, 建设局)
are then evidence too, weaker than a keyword the office chose (`routing.name_weight`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.config import Category, Config, Keyword

# Words of a name that name no field: joining words and bare organisation words.
_GENERIC = frozenset({"委员会", "委员", "部门", "办公室", "中心", "管理", "管理局"})
# A name word this long is also split into two halves when both are dictionary words
# (交通运输 → 交通, 运输; 生态环境 → 生态, 环境), since residents write the halves.
_SPLIT_FROM = 4


def name_words(names: Sequence[str], split: Callable[[str], list[str]],
               known: Callable[[str], bool]) -> list[str]:
    """The words of `names` (a category's and its department's) worth counting, in order.

    `split` segments a name into words (jieba); `known` says whether a word is in the
    dictionary. Single characters, generic organisation words (委员会, 部门) and halves
    that are no word of their own are left out; no word comes twice.
    """
    words: dict[str, None] = {}
    for name in names:
        for word in split(name):
            candidates = [word]
            if len(word) >= _SPLIT_FROM and len(word) % 2 == 0:
                half = len(word) // 2
                if known(word[:half]) and known(word[half:]):
                    candidates += [word[:half], word[half:]]
            for candidate in candidates:
                if len(candidate) > 1 and candidate not in _GENERIC:
                    words.setdefault(candidate, None)
    return list(words)


def with_name_keywords(config: Config, split: Callable[[str], list[str]],
                       known: Callable[[str], bool]) -> list[Category]:
    """The configured categories, each with the words of its own and its department's
    name added as keywords of weight `routing.name_weight` (unchanged at weight 0).

    A word that is already a keyword of any category, or a name word of two categories,
    is not added: it would count twice, or for both.
    """
    weight = config.routing.name_weight
    categories = list(config.categories)
    if weight <= 0:
        return categories
    departments = {d.code: d.name for d in config.departments}
    configured = {k.word.lower() for c in categories for k in c.keywords}
    per_category = [
        name_words([c.name] + ([departments[c.department]] if c.department in departments
                               else []), split, known)
        for c in categories]
    owners: dict[str, int] = {}
    for words in per_category:
        for word in words:
            owners[word] = owners.get(word, 0) + 1
    return [
        category.model_copy(update={"keywords": list(category.keywords) + [
            Keyword(word=word, weight=weight) for word in words
            if word.lower() not in configured and owners[word] == 1]})
        for category, words in zip(categories, per_category, strict=True)]
