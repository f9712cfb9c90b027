"""Working days, office hours and quiet hours in the configured time zone.

Which days are working days:

* the config wins: a date in `calendar.holidays` is off, a date in `calendar.workdays` is on
  (so an office can enter next year's schedule the day the State Council publishes it);
* otherwise the statutory calendar (`chinesecalendar`): public holidays are off and
  make-up workdays (调休) are on;
* for a year the statutory data does not cover (chinesecalendar 1.11: outside 2004–2026),
  Monday–Friday, with one warning per year.

Deadlines (`deadline`), the rule of the practice "原则上 7 个工作日内形成办理落实意见并向群众
答复": a working-day limit runs in whole working days and ends at the close of office hours
(`office_hours`, default 09:00-17:30) of its last working day; a request made at night, on a
weekend or on a holiday starts counting the next working morning. Calendar units (`s`, `m`,
`h`, `d`) stay plain clock time: `4h` to accept is four hours, night or day.

When to send (`staff_time`, `resident_time`): staff reminders and escalations that fall due
outside office hours wait for the next opening, except for urgent requests; residents are not
messaged in their quiet hours (default 21:00-08:00) except for an answer they are waiting for.

Every moment is a timezone-aware datetime; results keep the tzinfo of the datetime passed in
and are computed on local dates and clock times of the calendar's zone. Naive datetimes
raise ValueError.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import chinese_calendar

from bot.domain.durations import Duration

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _parse_span(text: object, example: str) -> tuple[time, time]:
    """`HH:MM-HH:MM` → two local clock times; ValueError naming the expected form."""
    match = _SPAN.match(text) if isinstance(text, str) else None
    try:
        if match is None:
            raise ValueError
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a span of the day: write HH:MM-HH:MM (24-hour clock), "
            f"e.g. {example}"
        ) from None


@dataclass(frozen=True)
class OfficeHours:
    """The daily opening of the offices, local clock time: open ≤ t < close, within one day."""

    open: time
    close: time

    def __post_init__(self) -> None:
        if self.open >= self.close:
            raise ValueError(
                f"opening {self.open:%H:%M} is not before closing {self.close:%H:%M}: "
                "office hours lie within one day, e.g. 09:00-17:30"
            )

    @classmethod
    def parse(cls, text: object) -> OfficeHours:
        """`"09:00-17:30"` → OfficeHours; ValueError for another form or open ≥ close."""
        return cls(*_parse_span(text, "09:00-17:30"))

    def contains(self, clock: time) -> bool:
        return self.open <= clock < self.close

    def __str__(self) -> str:
        return f"{self.open:%H:%M}-{self.close:%H:%M}"


@dataclass(frozen=True)
class QuietHours:
    """A nightly window, local clock time, start ≤ t < end; it may wrap midnight (21:00-08:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError(
                f"start and end are both {self.start:%H:%M}: give a window, e.g. 21:00-08:00"
            )

    @classmethod
    def parse(cls, text: object) -> QuietHours:
        """`"21:00-08:00"` → QuietHours; ValueError for another form or an empty window."""
        return cls(*_parse_span(text, "21:00-08:00"))

    @property
    def wraps(self) -> bool:
        """Whether the window runs over midnight."""
        return self.end < self.start

    def contains(self, clock: time) -> bool:
        if self.wraps:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_OFFICE_HOURS = OfficeHours(time(9, 0), time(17, 30))
DEFAULT_RESIDENT_QUIET_HOURS = QuietHours(time(21, 0), time(8, 0))


class WorkCalendar:
    """Working days, deadlines and sending times in one time zone."""

    def __init__(
        self,
        tz: ZoneInfo,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        resident_quiet_hours: QuietHours = DEFAULT_RESIDENT_QUIET_HOURS,
    ) -> None:
        self.tz = tz
        self.office_hours = office_hours
        self.resident_quiet_hours = resident_quiet_hours
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._cache: dict[date, bool] = {}
        self._warned_years: set[int] = set()

    @classmethod
    def from_config(cls, config: Config) -> WorkCalendar:
        """The calendar of the config's `timezone`, `calendar`, `office_hours` and
        `resident_quiet_hours`."""
        return cls(
            config.tz,
            holidays=config.calendar.holidays,
            workdays=config.calendar.workdays,
            office_hours=config.office_hours,
            resident_quiet_hours=config.resident_quiet_hours,
        )

    # -- which days count -------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Whether the local date `day` is a working day (config, statutory data, else Mon–Fri)."""
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

    # -- office hours -----------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        """Whether the aware `moment` lies within office hours (open ≤ t < close) on a
        working day, both read in the calendar's zone."""
        local = self._local(moment)
        return self.is_workday(local.date()) and self.office_hours.contains(local.time())

    def next_opening(self, moment: datetime) -> datetime:
        """The first opening of office hours at or after the aware `moment`.

        `moment` itself when it is exactly an opening; 08:00 on a working day → 09:00 that day;
        10:00, 20:00, a weekend or a holiday → 09:00 of the next working day. In `moment`'s tzinfo.
        """
        local = self._local(moment)
        day = local.date()
        if not (self.is_workday(day) and local.time() <= self.office_hours.open):
            day = self._nth_workday(day, 1)
        return self._at(day, self.office_hours.open, moment)

    # -- deadlines --------------------------------------------------------

    def deadline(self, start: datetime, duration: Duration) -> datetime:
        """When a limit of `duration` that starts at the aware `start` runs out.

        * Calendar units (`30s`, `10m`, `4h`, `3d`): `start + duration`, plain clock time,
          through nights and holidays.
        * `Nwd`, the practice "原则上 N 个工作日内…答复": counting starts at the effective
          start — `start` itself if the office is open then, else the next opening (a report
          at 04:50 counts from 09:00 that working day, one at 20:00, on a weekend or on a
          holiday from the next working morning). The limit ends at the close of office hours
          (local, the calendar's zone) on the Nth working day after the effective start's
          date: 7wd from Monday 10:00 ends the next Tuesday at 17:30 when no holiday lies
          between. `0wd` is the effective start itself.

        Returns an aware datetime in `start`'s tzinfo; ValueError if `start` is naive.
        """
        _require_aware(start)
        if not duration.working_days:
            return start + duration.as_timedelta()
        effective = start if self.is_open(start) else self.next_opening(start)
        if duration.amount == 0:
            return effective
        first = self._local(effective).date()
        return self._at(self._nth_workday(first, duration.amount), self.office_hours.close, start)

    def deadline_before(self, end: datetime, duration: Duration) -> datetime:
        """The moment `duration` before the aware `end`, e.g. when to remind `1wd` before a
        deadline.

        * Calendar units: `end - duration`, plain clock time (send it with `staff_time`).
        * `Nwd`: the same office-relative time N working days earlier, counted in office time
          and never outside office hours. `end` is first read as the last office moment at or
          before it (20:00 → that day's close; a weekend, a holiday or 07:00 → the previous
          working day's close); the result is that clock time on the Nth working day before,
          and a result at closing time is given as the next opening, the same point of office
          time. So 1wd before a deadline of Wednesday 17:30 is Wednesday 09:00 (one full
          working day left), 1wd before Wednesday 12:00 is Tuesday 12:00.

        Returns an aware datetime in `end`'s tzinfo; ValueError if `end` is naive.
        """
        _require_aware(end)
        if not duration.working_days:
            return end - duration.as_timedelta()
        day, clock = self._last_office_moment(end)
        day = self._nth_workday(day, -duration.amount)
        if clock == self.office_hours.close:
            return self._at(self._nth_workday(day, 1), self.office_hours.open, end)
        return self._at(day, clock, end)

    def _last_office_moment(self, moment: datetime) -> tuple[date, time]:
        """The latest (working day, clock time) with open ≤ time ≤ close at or before `moment`."""
        local = self._local(moment)
        day, clock = local.date(), local.time()
        hours = self.office_hours
        if self.is_workday(day) and clock >= hours.open:
            return day, min(clock, hours.close)
        return self._nth_workday(day, -1), hours.close

    # -- when messages may go ----------------------------------------------

    def staff_time(self, moment: datetime, *, urgent: bool = False) -> datetime:
        """When a staff reminder or escalation due at the aware `moment` may be sent.

        `moment` itself if the office is open then or the request is urgent (urgent requests
        are chased day and night); otherwise the next opening (a reminder due at 23:00 Friday
        goes on Monday at 09:00, or later when a holiday follows). In `moment`'s tzinfo;
        ValueError if naive.
        """
        _require_aware(moment)
        if urgent or self.is_open(moment):
            return moment
        return self.next_opening(moment)

    def resident_time(self, moment: datetime, *, awaited: bool = False) -> datetime:
        """When a message to a resident due at the aware `moment` may be sent.

        `moment` itself unless its local clock time falls in the resident quiet hours (default
        21:00-08:00); then the end of that window (22:00 → 08:00 the next morning, 07:00 →
        08:00 the same morning). Weekends and holidays do not matter to residents. An answer
        the resident is waiting for (`awaited=True`) always goes at once. In `moment`'s
        tzinfo; ValueError if naive.
        """
        local = self._local(moment)
        quiet = self.resident_quiet_hours
        if awaited or not quiet.contains(local.time()):
            return moment
        day = local.date()
        if quiet.wraps and local.time() >= quiet.start:
            day += _ONE_DAY
        return self._at(day, quiet.end, moment)

    # -- wall-clock arithmetic (kept for existing callers) -------------------

    def add(self, start: datetime, duration: Duration) -> datetime:
        """`start` plus `duration`, ignoring office hours.

        Calendar units are plain `timedelta` arithmetic. `Nwd` lands on the Nth working day
        after the start's local date at the start's local wall-clock time, whether or not the
        start date is a working day (Saturday 15:45 + 1wd → Monday 15:45; 04:50 stays 04:50);
        `0wd` returns `start` unchanged. For deadlines use `deadline`, which ends at the close
        of office hours. Aware in, aware out (same tzinfo); ValueError if naive.
        """
        _require_aware(start)
        if not duration.working_days:
            return start + duration.as_timedelta()
        return self._shift(start, duration.amount)

    def subtract(self, end: datetime, duration: Duration) -> datetime:
        """`end` minus `duration`; the wall-clock mirror image of `add` (see `deadline_before`)."""
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

    # -- helpers ------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        _require_aware(moment)
        return moment.astimezone(self.tz)

    def _at(self, day: date, clock: time, like: datetime) -> datetime:
        """Local `day` at `clock` in the calendar's zone, given in `like`'s tzinfo."""
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(like.tzinfo)

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
