"""The rules behind +1 and follow-ups, on realistic phrasing: the same place (小区/楼栋),
and a short message that reads like a follow-up."""

from __future__ import annotations

import pytest

from bot.domain.followup_phrases import FollowUp, follow_up
from bot.domain.places import Place, place_of, same_place
from bot.routing import normalise


@pytest.mark.parametrize(("address", "place"), [
    ("瑞祥社区3号楼东侧", Place("瑞祥社区", "3")),
    ("朝阳区建国路88号瑞祥花园3号楼2单元", Place("瑞祥花园", "3")),
    ("阳光小区三栋门口", Place("阳光小区", "3")),
    ("幸福里小区12#楼楼下", Place("幸福里小区", "12")),
    ("东方花园B座大堂", Place("东方花园", "B")),
    ("香蜜湾二十一栋", Place("香蜜湾", "21")),
    ("金色家园十幢", Place("金色家园", "10")),
    ("光明村村口", Place("光明村", None)),
    ("對面的瑞祥花園3棟", Place("瑞祥花园", "3")),   # Traditional, after normalise
    ("瑞祥花园３栋", Place("瑞祥花园", "3")),         # full-width digits
])
def test_an_estate_and_its_building_are_read_from_real_addresses(address: str,
                                                                  place: Place) -> None:
    assert place_of(normalise(address)) == place


@pytest.mark.parametrize("address", [
    "建国路和人民路路口", "小区门口", "我们小区5栋", "附近的公园", "区政府门口", "家门口",
    "地铁站A口", "3号楼", "", None,
])
def test_a_vague_address_has_no_place(address: str | None) -> None:
    assert place_of(normalise(address) if address else address) is None


@pytest.mark.parametrize(("a", "b", "same"), [
    ("瑞祥花园3栋", "瑞祥花园3号楼2单元", True),
    ("瑞祥花园3栋", "瑞祥花园三栋", True),
    ("瑞祥花园3栋", "瑞祥花园", True),        # the whole estate: one building is in it
    ("瑞祥花园3栋", "瑞祥花园5栋", False),
    ("瑞祥花园3栋", "瑞祥苑3栋", False),
    ("瑞祥社区3号楼东侧", "瑞祥社区3号楼", True),
    ("瑞祥社区3号楼", "瑞祥社区", False),     # a whole 社区 needs the building
    ("瑞祥社区", "瑞祥社区", False),
    ("小区门口", "小区门口", False),           # vague never matches
])
def test_the_same_place(a: str, b: str, same: bool) -> None:
    assert same_place(place_of(normalise(a)), place_of(normalise(b))) is same
    assert same_place(place_of(normalise(b)), place_of(normalise(a))) is same


@pytest.mark.parametrize("text", [
    "怎么还没人来", "催一下", "还没处理", "怎么还没修好啊？？", "都三天了还没人管",
    "麻烦再催催", "为什么还没有回复", "咋还不来修", "还没解决，水一直在漏", "没人处理吗",
])
def test_chases(text: str) -> None:
    assert follow_up(normalise(text)) == FollowUp.CHASE


@pytest.mark.parametrize("text", [
    "进度怎么样", "我反映的事情怎么样了", "有结果了吗", "请问处理了吗？", "什么时候能修",
    "進度怎麼樣了",   # Traditional
])
def test_questions_about_progress(text: str) -> None:
    assert follow_up(normalise(text)) == FollowUp.QUESTION


@pytest.mark.parametrize("text", [
    "瑞祥社区3号楼门口的路灯不亮了", "楼下下水道堵了", "你好", "谢谢",
    "瑞祥花园北门外的人行道砖块松动翘起，老人孩子经过很容易绊倒，之前催过物业也没用",
    "小区旁边的工地晚上施工噪音很大，已经好几天了，怎么还没人管一管，严重影响休息",
])
def test_a_new_problem_is_not_a_follow_up(text: str) -> None:
    assert follow_up(normalise(text)) is None
