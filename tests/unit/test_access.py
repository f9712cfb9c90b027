"""The pure rules of residents' access: Traditional locales, mobile numbers, the local day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.access import local_day, mobile_number, over_daily_limit, reads_traditional


@pytest.mark.parametrize("code", ["zh-hant", "zh-Hant", "zh-HK", "zh-hk", "zh-TW", "zh_tw",
                                  "zh-MO", "zh-Hant-TW", " zh-tw "])
def test_traditional_locales(code: str) -> None:
    assert reads_traditional(code)


@pytest.mark.parametrize("code", [None, "", "zh", "zh-hans", "zh-CN", "zh-Hans-HK", "en",
                                  "en-TW"])
def test_other_locales(code: str | None) -> None:
    assert not reads_traditional(code)


@pytest.mark.parametrize(("typed", "number"), [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"), ("008619912345678", "19912345678"),
    ("12812345678", None), ("1381234567", None), ("010-12345678", None), ("电话", None),
])
def test_mobile_numbers(typed: str, number: str | None) -> None:
    assert mobile_number(typed) == number


def test_the_local_day_and_the_limit() -> None:
    start, end = local_day(datetime(2026, 11, 24, 17, 30, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))
    assert (start, end) == (datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
                            datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    assert not over_daily_limit(9, 10) and over_daily_limit(10, 10)
