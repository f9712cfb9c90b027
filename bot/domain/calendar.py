"""Deadlines on the Chinese working-day calendar.

Which days are working days:

* the config wins: a date in `calendar.holidays` is off, a date in `calendar.workdays` is on;
* otherwise the statutory calendar (`chinesecalendar`): public holidays are off and
  make-up workdays (调休) are on;
* for a year the statutory data does not cover, Monday–Friday, with one warning per year.

Arithmetic:

* calendar units (`s`, `m`, `h`, `d`) are plain `timedelta` arithmetic;
* `Nwd` counts N working days from the start's local date (in the configured zone) and keeps
  the start's local wall-clock time: the result is on the Nth working day after that date,
  whether or not the start date itself is a working day. A request filed on Saturday with
  `1wd` is due on Monday at the same clock time; `0wd` returns the start unchanged;
* `subtract` mirrors this backwards: the Nth working day before the end's local date.

Results keep the tzinfo of the datetime passed in; naive datetimes raise ValueError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import chinese_calendar

from bot.domain.durations import Duration

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)


class WorkCalendar:
    """Working days and deadline arithmetic in one time zone."""

    def __init__(
        self,
        tz: ZoneInfo,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
    ) -> None:
        self.tz = tz
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._cache: dict[date, bool] = {}
        self._warned_years: set[int] = set()

    @classmethod
    def from_config(cls, config: Config) -> WorkCalendar:
        return cls(
            config.tz,
            holidays=config.calendar.holidays,
            workdays=config.calendar.workdays,
        )

    # -- which days count -------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day (config overrides, statutory data, else Mon–Fri)."""
        if day in self._holidays:
            return False
        if day in self._workdays:
            return True
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._statutory(day)
        return cached

    def _statutory(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self._warn_uncovered(day.year)
            return day.weekday() < 5

    def _warn_uncovered(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        log.warning(
            "no statutory holiday data for %d: assuming Monday–Friday working days; "
            "list that year's holidays and make-up workdays under calendar in the config",
            year,
        )

    # -- arithmetic -------------------------------------------------------

    def add(self, start: datetime, duration: Duration) -> datetime:
        """`start` plus `duration`; working days keep the local wall-clock time."""
        _require_aware(start)
        if not duration.working_days:
            return start + duration.as_timedelta()
        return self._shift(start, duration.amount)

    def subtract(self, end: datetime, duration: Duration) -> datetime:
        """`end` minus `duration`; the mirror image of `add`."""
        _require_aware(end)
        if not duration.working_days:
            return end - duration.as_timedelta()
        return self._shift(end, -duration.amount)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after `start`'s local date up to and including `end`'s.

        0 if `end` is not after `start`; handy for "overdue by N working days".
        """
        _require_aware(start)
        _require_aware(end)
        if end <= start:
            return 0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        count = 0
        while day < last:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    def _shift(self, moment: datetime, count: int) -> datetime:
        """Move `count` working days (negative: backwards), keeping the local clock time."""
        if count == 0:
            return moment
        local = moment.astimezone(self.tz)
        target = self._nth_workday(local.date(), count)
        shifted = datetime.combine(target, local.time(), tzinfo=self.tz).replace(fold=local.fold)
        return shifted.astimezone(moment.tzinfo)

    def _nth_workday(self, day: date, count: int) -> date:
        """The |count|th working day after (count > 0) or before (count < 0) `day`."""
        step = _ONE_DAY if count > 0 else -_ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            remaining -= self.is_workday(day)
        return day


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; use an aware datetime")
