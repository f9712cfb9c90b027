"""Durations as written in the config: `30s`, `10m`, `2h`, `3d` or `7wd` (working days)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_PATTERN = re.compile(r"^\s*(\d+)\s*(s|m|h|d|wd)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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
    """Parse `30s`/`10m`/`2h`/`3d`/`7wd`; raise ValueError with a readable reason."""
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(
            f"{text!r} is not a duration: write a whole number and a unit, "
            "e.g. 30s, 10m, 2h, 3d or 7wd (working days)"
        )
    return Duration(int(match.group(1)), match.group(2))
