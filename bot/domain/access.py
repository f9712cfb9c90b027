"""Who may report how much, and in which script: the pure rules of residents' access.

* A resident files at most `daily_reports` requests a local day (config `residents`); a
  grid worker filing for others (代报) is not counted against it.
* Telegram's `language_code` tells Traditional readers (zh-Hant, zh-HK, zh-TW, zh-MO) from
  the first message on; writing Traditional tells it too (bot.routing.is_traditional).
* A grid worker gives the resident's mainland mobile number: 1[3-9] and nine digits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

TRADITIONAL_LANGUAGES = frozenset({"zh-hant", "zh-hk", "zh-tw", "zh-mo"})
MOBILE = re.compile(r"1[3-9]\d{9}")
NAME_CHARS = (1, 32)


def reads_traditional(language_code: str | None) -> bool:
    """True for a Telegram `language_code` of a Traditional Chinese locale, in any case
    and with `-` or `_` (zh-TW, zh_hk, zh-Hant-TW)."""
    if not language_code:
        return False
    code = language_code.strip().lower().replace("_", "-")
    return code in TRADITIONAL_LANGUAGES or code.startswith("zh-hant")


def mobile_number(text: str) -> str | None:
    """A mainland mobile number (11 digits, 1[3-9]…) from what was typed (spaces, dashes
    and a +86 / 0086 prefix allowed), or None."""
    digits = re.sub(r"[\s\-()（）]", "", text).removeprefix("+86").removeprefix("0086")
    return digits if MOBILE.fullmatch(digits) else None


def local_day(at: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day containing `at`, as [start, end) in UTC."""
    day = at.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def over_daily_limit(filed_today: int, limit: int) -> bool:
    """True when a resident who filed `filed_today` requests today may file no more."""
    return filed_today >= limit
