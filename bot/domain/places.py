"""Where a request is, as far as "the same place" goes: the estate (小区/花园/苑/大厦/社区/村…)
named in its address, and the building (3栋, 3号楼, 三幢, A座) when one is given.

Two reports are about the same place when they name the same estate and, if both give a
building, the same building; a whole 社区 or 村 (thousands of households) is the same place
only with the same building on both. An address that names no estate (a road, 门口, 附近) is
never the same place as anything: a wrong "+1" would hide a new problem.

Input is normalised text (Simplified, half-width: bot.routing.normalise); nothing here does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest first: 新村 before 村, 花园 before 园.
ESTATE_SUFFIXES = ("小区", "花园", "家园", "公寓", "大厦", "社区", "新村", "新城", "公馆",
                   "山庄", "广场", "苑", "园", "府", "村", "湾")
LARGE = frozenset({"社区", "村"})   # a whole community or village: a building is needed
# Characters that end the part of an address before an estate's name: administrative units,
# roads, house numbers and punctuation ("建国路88号瑞祥花园" → 瑞祥花园).
_BOUNDARY = set("省市区县镇乡街路道巷弄号的在,，.。、;；:：()（）-/ ")
_GENERIC = frozenset({"幼儿园", "公园", "动物园", "植物园", "游乐园", "校园", "菜园", "果园",
                      "农村", "乡村", "本村", "新村", "小区", "花园", "家园", "广场", "政府"})
_PRONOUNS = ("我们", "我家", "我", "咱们", "咱", "本", "这个", "那个", "这", "那", "附近",
             "隔壁", "旁边", "对面")
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}
_BUILDING = re.compile(
    r"([0-9]+|[零一二三四五六七八九十]+|[A-Za-z])\s*(?:号楼|#楼|栋|幢|座|号院|#)")
NAME_CHARS = (2, 8)   # an estate's name before its suffix, in characters


@dataclass(frozen=True)
class Place:
    """An estate (its name with its suffix, e.g. 瑞祥花园) and a building number (or None)."""

    estate: str
    building: str | None = None

    @property
    def large(self) -> bool:
        return any(self.estate.endswith(s) for s in LARGE) and not self.estate.endswith("新村")


def _number(text: str) -> str:
    """A building number as digits: 3, 三, 十二 → "3", "3", "12"; a letter upper-cased."""
    if text.isdigit():
        return str(int(text))
    if text.isascii():
        return text.upper()
    if "十" in text:
        tens, _, ones = text.partition("十")
        return str(_NUMERALS.get(tens, 1) * 10 + _NUMERALS.get(ones, 0)) if ones or tens \
            else "10"
    return str(int("".join(str(_NUMERALS[c]) for c in text)))


def _estate(address: str) -> str | None:
    """The first estate named in `address`, with its suffix, or None."""
    for match in re.finditer("|".join(ESTATE_SUFFIXES), address):
        start = match.start()
        name_start = start
        while name_start > 0 and address[name_start - 1] not in _BOUNDARY \
                and "\u4e00" <= address[name_start - 1] <= "\u9fff" \
                and start - name_start < NAME_CHARS[1]:
            name_start -= 1
        name = address[name_start:start]
        for pronoun in _PRONOUNS:
            name = name.removeprefix(pronoun)
        estate = name + match.group(0)
        if len(name) >= NAME_CHARS[0] and estate not in _GENERIC:
            return estate
    return None


def place_of(address: str | None) -> Place | None:
    """The estate and building of an address (normalised text), or None for a vague one."""
    if not address:
        return None
    estate = _estate(address)
    if estate is None:
        return None
    after = address[address.find(estate) + len(estate):]
    building = _BUILDING.search(after) or _BUILDING.search(address)
    return Place(estate, _number(building.group(1)) if building else None)


def same_place(a: Place | None, b: Place | None) -> bool:
    """True when two places are the same for a "+1": same estate, and the same building when
    both give one (a 社区 or 村 only with the same building on both)."""
    if a is None or b is None or a.estate != b.estate:
        return False
    if a.building is None or b.building is None:
        return not a.large
    return a.building == b.building
