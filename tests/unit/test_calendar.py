"""WorkCalendar: statutory working days, fallback years, overrides and deadline arithmetic."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from bot.config import WorkCalendarConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.durations import parse_duration

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def wd(n: int):
    return parse_duration(f"{n}wd")


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(SHANGHAI)


def fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records
        if r.name == "bot.domain.calendar" and r.levelno == logging.WARNING
    ]


# -- statutory calendar ---------------------------------------------------


def test_national_day_2026_schedule_as_published(cal: WorkCalendar) -> None:
    # Oct 1–7 off, Oct 8–9 on, Sat Oct 10 is a make-up workday, Sun Oct 11 off.
    assert [cal.is_workday(date(2026, 10, d)) for d in range(1, 12)] == (
        [False] * 7 + [True, True, True, False]
    )


def test_seven_working_days_across_national_day(cal: WorkCalendar) -> None:
    # Counting from Mon Sep 28: Sep 29, Sep 30, Oct 8, Oct 9, Sat Oct 10 (调休), Oct 12, Oct 13.
    assert cal.add(at(2026, 9, 28, 14, 30), wd(7)) == at(2026, 10, 13, 14, 30)


def test_make_up_workday_counts(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 10, 9), wd(1)) == at(2026, 10, 10)
    assert cal.add(at(2026, 9, 19), wd(1)) == at(2026, 9, 20)  # Sun Sep 20 is 调休


def test_saturday_start_is_due_monday_same_clock_time(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 3, 7, 15, 45), wd(1)) == at(2026, 3, 9, 15, 45)


def test_holiday_eve_skips_the_holiday(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 9, 30, 17), wd(1)) == at(2026, 10, 8, 17)


def test_start_on_holiday_counts_from_following_days(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 10, 3, 9), wd(2)) == at(2026, 10, 9, 9)


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    # Fri Feb 13 → Sat Feb 14 (调休) → holiday Feb 15–23 → Tue Feb 24.
    assert not any(cal.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert cal.add(at(2026, 2, 13), wd(1)) == at(2026, 2, 14)
    assert cal.add(at(2026, 2, 13), wd(2)) == at(2026, 2, 24)


def test_zero_working_days_returns_start_unchanged(cal: WorkCalendar) -> None:
    saturday = at(2026, 3, 7, 23, 59)
    assert cal.add(saturday, wd(0)) is saturday
    assert cal.subtract(saturday, wd(0)) is saturday


def test_counts_local_dates_and_keeps_callers_tzinfo(cal: WorkCalendar) -> None:
    # 20:00 UTC on Sep 30 is already Oct 1, 04:00 in Shanghai (a holiday).
    start = datetime(2026, 9, 30, 20, 0, tzinfo=UTC)
    due = cal.add(start, wd(1))
    assert due.tzinfo is UTC
    assert due == datetime(2026, 10, 7, 20, 0, tzinfo=UTC)  # Oct 8, 04:00 in Shanghai


def test_statutory_answers_are_cached(
    cal: WorkCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[date] = []
    real = chinese_calendar.is_workday

    def counting(day: date) -> bool:
        calls.append(day)
        return real(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", counting)
    for _ in range(3):
        cal.add(at(2026, 9, 28), wd(7))
    assert len(calls) == len(set(calls)) > 0


# -- years without statutory data -----------------------------------------


def test_december_deadline_reaching_uncovered_year(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    # Dec 29, 30, 31, Fri Jan 1 (Mon–Fri fallback), Jan 4, 5, 6.
    assert cal.add(at(2026, 12, 28, 11), wd(7)) == at(2027, 1, 6, 11)
    assert cal.add(at(2027, 3, 5), wd(1)) == at(2027, 3, 8)  # Fri → Mon
    warnings = fallback_warnings(caplog)
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()


def test_one_warning_per_uncovered_year(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    cal.add(at(2027, 12, 30), wd(3))  # touches 2027 and 2028
    cal.add(at(2027, 6, 1), wd(20))
    cal.is_workday(date(2028, 7, 1))
    messages = [r.getMessage() for r in fallback_warnings(caplog)]
    assert len(messages) == 2
    assert sum("2027" in m for m in messages) == 1
    assert sum("2028" in m for m in messages) == 1


def test_covered_year_logs_nothing(cal: WorkCalendar, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    cal.add(at(2026, 1, 5), wd(200))
    assert fallback_warnings(caplog) == []


# -- config overrides -----------------------------------------------------


def test_config_holiday_overrides_statutory_workday() -> None:
    cal = WorkCalendar(SHANGHAI, holidays=[date(2026, 9, 29)])
    assert not cal.is_workday(date(2026, 9, 29))
    assert cal.add(at(2026, 9, 28), wd(7)) == at(2026, 10, 14)


def test_config_workday_overrides_statutory_holiday() -> None:
    cal = WorkCalendar(SHANGHAI, workdays=[date(2026, 10, 7)])
    assert cal.is_workday(date(2026, 10, 7))
    assert cal.add(at(2026, 9, 30), wd(1)) == at(2026, 10, 7)


def test_config_overrides_fallback_year() -> None:
    cal = WorkCalendar(
        SHANGHAI,
        holidays=[date(2027, 1, 1), date(2027, 1, 4)],
        workdays=[date(2027, 1, 2)],
    )
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 2))
    # Dec 29, 30, 31, Sat Jan 2 (config), Jan 5 (Jan 4 is a config holiday).
    assert cal.add(at(2026, 12, 28), wd(5)) == at(2027, 1, 5)


def test_from_config() -> None:
    config = SimpleNamespace(
        tz=ZoneInfo("Asia/Urumqi"),
        calendar=WorkCalendarConfig(holidays=[date(2026, 9, 29)], workdays=[date(2026, 10, 7)]),
    )
    cal = WorkCalendar.from_config(config)  # type: ignore[arg-type]
    assert cal.tz == ZoneInfo("Asia/Urumqi")
    assert not cal.is_workday(date(2026, 9, 29))
    assert cal.is_workday(date(2026, 10, 7))


# -- calendar units -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("30s", timedelta(seconds=30)),
        ("10m", timedelta(minutes=10)),
        ("4h", timedelta(hours=4)),
        ("3d", timedelta(days=3)),
    ],
)
def test_calendar_units_ignore_working_days(cal: WorkCalendar, text: str, delta: timedelta) -> None:
    start = at(2026, 9, 30, 22)  # holiday eve: calendar time runs through the holiday
    assert cal.add(start, parse_duration(text)) == start + delta
    assert cal.subtract(start, parse_duration(text)) == start - delta


def test_calendar_units_keep_callers_tzinfo(cal: WorkCalendar) -> None:
    start = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
    due = cal.add(start, parse_duration("3d"))
    assert due == datetime(2026, 10, 4, 0, 0, tzinfo=UTC)
    assert due.tzinfo is UTC


# -- subtract -------------------------------------------------------------


def test_subtract_across_national_day(cal: WorkCalendar) -> None:
    assert cal.subtract(at(2026, 10, 13, 14, 30), wd(7)) == at(2026, 9, 28, 14, 30)
    assert cal.subtract(at(2026, 10, 8, 9), wd(1)) == at(2026, 9, 30, 9)


def test_subtract_counts_make_up_workday(cal: WorkCalendar) -> None:
    assert cal.subtract(at(2026, 10, 12), wd(1)) == at(2026, 10, 10)


def test_subtract_from_weekend(cal: WorkCalendar) -> None:
    assert cal.subtract(at(2026, 3, 8, 8), wd(1)) == at(2026, 3, 6, 8)  # Sun → Fri


def test_subtract_keeps_callers_tzinfo(cal: WorkCalendar) -> None:
    end = datetime(2026, 10, 7, 20, 0, tzinfo=UTC)  # Oct 8, 04:00 in Shanghai
    start = cal.subtract(end, wd(1))
    assert start.tzinfo is UTC
    assert start == datetime(2026, 9, 29, 20, 0, tzinfo=UTC)  # Sep 30, 04:00 in Shanghai


# -- working_days_between -------------------------------------------------


def test_working_days_between_across_holiday(cal: WorkCalendar) -> None:
    assert cal.working_days_between(at(2026, 9, 30, 18), at(2026, 10, 8, 9)) == 1
    assert cal.working_days_between(at(2026, 9, 28), at(2026, 10, 13)) == 7
    assert cal.working_days_between(at(2026, 10, 1), at(2026, 10, 7, 23)) == 0


def test_working_days_between_mirrors_add(cal: WorkCalendar) -> None:
    start = at(2026, 2, 10, 16)
    for n in range(12):
        assert cal.working_days_between(start, cal.add(start, wd(n))) == n


def test_working_days_between_zero_when_not_after(cal: WorkCalendar) -> None:
    assert cal.working_days_between(at(2026, 10, 13), at(2026, 9, 28)) == 0
    assert cal.working_days_between(at(2026, 9, 28), at(2026, 9, 28)) == 0
    assert cal.working_days_between(at(2026, 9, 28, 9), at(2026, 9, 28, 18)) == 0


def test_working_days_between_uses_local_dates(cal: WorkCalendar) -> None:
    # 15:00 and 17:00 UTC on Sep 29 are Sep 29 23:00 and Sep 30 01:00 in Shanghai.
    start = datetime(2026, 9, 29, 15, 0, tzinfo=UTC)
    end = datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert cal.working_days_between(start, end) == 1


# -- naive datetimes ------------------------------------------------------


@pytest.mark.parametrize("text", ["1wd", "0wd", "2h"])
def test_naive_datetimes_rejected(cal: WorkCalendar, text: str) -> None:
    naive = datetime(2026, 9, 28, 10)
    with pytest.raises(ValueError):
        cal.add(naive, parse_duration(text))
    with pytest.raises(ValueError):
        cal.subtract(naive, parse_duration(text))


def test_naive_datetimes_rejected_by_working_days_between(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.working_days_between(datetime(2026, 9, 28), at(2026, 10, 1))
    with pytest.raises(ValueError):
        cal.working_days_between(at(2026, 9, 28), datetime(2026, 10, 1))
