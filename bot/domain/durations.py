"""Durations as written in the config: `30s`, `10m`, `2h`, `3d` or `7wd` (working days).

`s`, `m`, `h` and `d` are calendar time (a `timedelta`); `wd` counts Chinese working days and
only the work calendar (bot/domain/calendar.py) can turn it into a moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_PATTERN = re.compile(r"^\s*(\d+)\s*(s|m|h|d|wd)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# No limit, tick or delay of the office runs for years; a bigger number is a typo, and
# would otherwise overflow `timedelta` (or walk the calendar past year 9999) at run time.
MAX_DAYS = 3660
MAX_WORKING_DAYS = 2500


@dataclass(frozen=True)
class Duration:
    """A calendar duration, or a count of Chinese working days when `working_days` is set."""

    amount: int
    unit: str

    @property
    def working_days(self) -> bool:
        return self.unit == "wd"

    def as_timedelta(self) -> timedelta:
        """Calendar length; a working-day duration needs the work calendar instead."""
        if self.working_days:
            raise ValueError("a working-day duration has no fixed length")
        return timedelta(seconds=self.amount * _UNIT_SECONDS[self.unit])

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def parse_duration(text: str) -> Duration:
    """Parse `30s`/`10m`/`2h`/`3d`/`7wd` into a Duration.

    Raises ValueError with a readable reason for anything else (no unit, fractions, negative
    numbers, other units) and for lengths beyond about ten years.
    """
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(
            f"{text!r} is not a duration: write a whole number and a unit, "
            "e.g. 30s, 10m, 2h, 3d or 7wd (working days)"
        )
    duration = Duration(int(match.group(1)), match.group(2))
    if duration.working_days:
        too_long = duration.amount > MAX_WORKING_DAYS
    else:
        too_long = duration.amount * _UNIT_SECONDS[duration.unit] > MAX_DAYS * 86400
    if too_long:
        raise ValueError(
            f"{text!r} is too long for a duration: at most {MAX_DAYS}d "
            f"or {MAX_WORKING_DAYS}wd (about ten years)"
        )
    return duration
