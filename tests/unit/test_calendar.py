"""WorkCalendar: statutory working days, fallback years, overrides, deadlines at the close of
office hours, and when staff and residents may be messaged. Real 2026 dates (chinesecalendar
1.11 data), 2027 for a year beyond the data."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from bot.config import WorkCalendarConfig
from bot.domain.calendar import OfficeHours, QuietHours, WorkCalendar
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
        office_hours=OfficeHours(time(10, 0), time(19, 0)),
        resident_quiet_hours=QuietHours(time(22, 0), time(9, 0)),
    )
    cal = WorkCalendar.from_config(config)  # type: ignore[arg-type]
    assert cal.tz == ZoneInfo("Asia/Urumqi")
    assert not cal.is_workday(date(2026, 9, 29))
    assert cal.is_workday(date(2026, 10, 7))
    assert cal.office_hours == OfficeHours(time(10, 0), time(19, 0))
    assert cal.resident_quiet_hours == QuietHours(time(22, 0), time(9, 0))


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


# -- deadlines end at the close of office hours ---------------------------


def nth_workday_after(day: date, n: int) -> date:
    """Independent count with chinesecalendar's own helper (covered years only)."""
    following = chinese_calendar.get_workdays(day + timedelta(days=1), day + timedelta(days=3 * n))
    return following[n - 1]


def test_seven_working_days_end_at_close(cal: WorkCalendar) -> None:
    # Mon Mar 2, 10:00: Mar 3, 4, 5, 6, 9, 10, 11 → Wed Mar 11 at 17:30.
    assert cal.deadline(at(2026, 3, 2, 10), wd(7)) == at(2026, 3, 11, 17, 30)


def test_seven_working_days_across_national_day_end_at_close(cal: WorkCalendar) -> None:
    # Sep 29, 30, Oct 8, 9, Sat Oct 10 (调休), Oct 12, Oct 13.
    assert cal.deadline(at(2026, 9, 28, 14, 30), wd(7)) == at(2026, 10, 13, 17, 30)


def test_forty_working_days_from_a_report_at_0450_end_at_close(cal: WorkCalendar) -> None:
    start = at(2026, 3, 3, 4, 50)  # Tue: counts from 09:00 that day; crosses 清明 (Apr 4–6)
    due = cal.deadline(start, wd(40))
    assert due == at(2026, 4, 29, 17, 30)
    assert due.date() == nth_workday_after(date(2026, 3, 3), 40)
    assert cal.add(start, wd(40)) == at(2026, 4, 29, 4, 50)  # the old wall-clock answer


def test_measured_case_no_longer_ends_in_the_night(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    # The issue: 40wd from a 04:50 report ended "1月25日 04:50". 2027 is beyond the data
    # (Mon–Fri fallback, so Jan 1 2027 counts until the config lists it).
    caplog.set_level(logging.WARNING)
    start = at(2026, 11, 30, 4, 50)
    assert cal.add(start, wd(40)) == at(2027, 1, 25, 4, 50)
    assert cal.deadline(start, wd(40)) == at(2027, 1, 25, 17, 30)
    assert len(fallback_warnings(caplog)) == 1


def test_report_before_opening_counts_that_working_day(cal: WorkCalendar) -> None:
    assert cal.deadline(at(2026, 3, 3, 4, 50), wd(1)) == at(2026, 3, 4, 17, 30)
    assert cal.deadline(at(2026, 3, 3, 9, 0), wd(1)) == at(2026, 3, 4, 17, 30)


def test_report_at_night_counts_from_the_next_working_morning(cal: WorkCalendar) -> None:
    assert cal.deadline(at(2026, 3, 3, 20, 0), wd(1)) == at(2026, 3, 5, 17, 30)
    assert cal.deadline(at(2026, 3, 3, 17, 30), wd(1)) == at(2026, 3, 5, 17, 30)  # at closing
    assert cal.deadline(at(2026, 3, 3, 17, 29), wd(1)) == at(2026, 3, 4, 17, 30)


def test_report_on_saturday_counts_from_monday_morning(cal: WorkCalendar) -> None:
    assert cal.deadline(at(2026, 3, 7, 15, 45), wd(0)) == at(2026, 3, 9, 9, 0)
    assert cal.deadline(at(2026, 3, 7, 15, 45), wd(1)) == at(2026, 3, 10, 17, 30)


def test_report_on_a_holiday_counts_from_the_next_working_morning(cal: WorkCalendar) -> None:
    # 国庆: Oct 3 is off; counting starts Thu Oct 8 09:00; Oct 9, Sat Oct 10 (调休).
    assert cal.deadline(at(2026, 10, 3, 10), wd(0)) == at(2026, 10, 8, 9, 0)
    assert cal.deadline(at(2026, 10, 3, 10), wd(2)) == at(2026, 10, 10, 17, 30)


def test_report_on_a_make_up_saturday_counts_that_day(cal: WorkCalendar) -> None:
    # Sat Oct 10 2026 is a 调休 working day, Sun Oct 11 is off.
    assert cal.deadline(at(2026, 10, 10, 10), wd(0)) == at(2026, 10, 10, 10)
    assert cal.deadline(at(2026, 10, 10, 10), wd(1)) == at(2026, 10, 12, 17, 30)


def test_zero_working_days_within_office_hours_is_the_start(cal: WorkCalendar) -> None:
    start = at(2026, 3, 3, 11, 15)
    assert cal.deadline(start, wd(0)) is start


@pytest.mark.parametrize("text", ["30s", "10m", "4h", "3d"])
def test_calendar_limits_stay_clock_time(cal: WorkCalendar, text: str) -> None:
    limit = parse_duration(text)
    for start in (at(2026, 9, 30, 22), at(2026, 10, 3, 4, 50), at(2026, 3, 3, 11)):
        assert cal.deadline(start, limit) == start + limit.as_timedelta()


def test_deadline_keeps_callers_tzinfo(cal: WorkCalendar) -> None:
    start = datetime(2026, 9, 30, 20, 0, tzinfo=UTC)  # Oct 1, 04:00 in Shanghai (holiday)
    due = cal.deadline(start, wd(1))
    assert due.tzinfo is UTC
    assert due == datetime(2026, 10, 9, 9, 30, tzinfo=UTC)  # Oct 9, 17:30 in Shanghai


def test_deadline_uses_configured_office_hours() -> None:
    cal = WorkCalendar(SHANGHAI, office_hours=OfficeHours(time(8, 30), time(17, 0)))
    assert cal.deadline(at(2026, 3, 3, 8, 40), wd(1)) == at(2026, 3, 4, 17, 0)
    assert cal.deadline(at(2026, 3, 3, 8, 20), wd(0)) == at(2026, 3, 3, 8, 30)


def test_deadline_with_config_overrides() -> None:
    cal = WorkCalendar(SHANGHAI, holidays=[date(2026, 3, 4)], workdays=[date(2026, 3, 7)])
    # Mar 4 off (config), Sat Mar 7 on (config): Mar 3 → Mar 5, 6, 7.
    assert cal.deadline(at(2026, 3, 3, 10), wd(3)) == at(2026, 3, 7, 17, 30)
    assert cal.deadline(at(2026, 3, 4, 10), wd(0)) == at(2026, 3, 5, 9, 0)


def test_deadline_in_a_year_beyond_the_data(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    # Sat Mar 6 2027 → Mon Mar 8 09:00 → Mon–Fri: Mar 9, 10.
    assert cal.deadline(at(2027, 3, 6, 10), wd(2)) == at(2027, 3, 10, 17, 30)
    assert cal.deadline(at(2027, 12, 31, 20), wd(1)) == at(2028, 1, 4, 17, 30)
    cal.deadline(at(2027, 5, 3, 10), wd(7))
    messages = [r.getMessage() for r in fallback_warnings(caplog)]
    assert len(messages) == 2 and "2027" in messages[0] and "2028" in messages[1]


def test_config_override_repairs_a_year_beyond_the_data() -> None:
    cal = WorkCalendar(SHANGHAI, holidays=[date(2027, 1, 1)])
    # Thu Dec 31 2026 at 20:00 → counts from Mon Jan 4 2027 (New Year's Day entered by hand).
    assert cal.deadline(at(2026, 12, 31, 20), wd(0)) == at(2027, 1, 4, 9, 0)


# -- deadline_before: reminders in office time ----------------------------


def test_one_working_day_before_a_closing_deadline_is_that_morning(cal: WorkCalendar) -> None:
    assert cal.deadline_before(at(2026, 3, 11, 17, 30), wd(1)) == at(2026, 3, 11, 9, 0)
    assert cal.deadline_before(at(2026, 3, 11, 17, 30), wd(2)) == at(2026, 3, 10, 9, 0)


def test_working_days_before_keep_office_relative_time(cal: WorkCalendar) -> None:
    assert cal.deadline_before(at(2026, 3, 11, 12), wd(1)) == at(2026, 3, 10, 12)
    assert cal.deadline_before(at(2026, 10, 8, 12), wd(1)) == at(2026, 9, 30, 12)  # over 国庆
    assert cal.deadline_before(at(2026, 10, 12, 12), wd(1)) == at(2026, 10, 10, 12)  # 调休 Sat


def test_working_days_before_a_moment_outside_office_hours(cal: WorkCalendar) -> None:
    # 20:00 reads as that day's close; Saturday and 07:00 as the previous working day's close.
    assert cal.deadline_before(at(2026, 3, 11, 20), wd(1)) == at(2026, 3, 11, 9, 0)
    assert cal.deadline_before(at(2026, 3, 7, 10), wd(1)) == at(2026, 3, 6, 9, 0)
    assert cal.deadline_before(at(2026, 3, 11, 7), wd(1)) == at(2026, 3, 10, 9, 0)
    assert cal.deadline_before(at(2026, 3, 11, 20), wd(0)) == at(2026, 3, 12, 9, 0)


def test_working_days_before_is_always_in_office_hours(cal: WorkCalendar) -> None:
    for day in range(20, 31):
        for hour in (0, 8, 9, 12, 17, 18, 23):
            end = at(2026, 9, day, hour, 30)
            for n in range(4):
                assert cal.is_open(cal.deadline_before(end, wd(n))), (end, n)


def test_reminder_before_a_real_deadline(cal: WorkCalendar) -> None:
    due = cal.deadline(at(2026, 9, 28, 14, 30), wd(7))  # Oct 13, 17:30
    assert cal.deadline_before(due, wd(1)) == at(2026, 10, 13, 9, 0)


def test_calendar_units_before_stay_clock_time(cal: WorkCalendar) -> None:
    end = at(2026, 10, 8, 9)
    assert cal.deadline_before(end, parse_duration("2h")) == at(2026, 10, 8, 7)


def test_deadline_before_keeps_callers_tzinfo(cal: WorkCalendar) -> None:
    end = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    before = cal.deadline_before(end, wd(1))
    assert before.tzinfo is UTC
    assert before == datetime(2026, 3, 11, 1, 0, tzinfo=UTC)


# -- office hours: is_open, next_opening -----------------------------------


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at(2026, 3, 3, 9, 0), True),
        (at(2026, 3, 3, 17, 29), True),
        (at(2026, 3, 3, 17, 30), False),
        (at(2026, 3, 3, 8, 59), False),
        (at(2026, 3, 7, 10), False),  # Saturday
        (at(2026, 10, 5, 10), False),  # 国庆, a Monday
        (at(2026, 10, 10, 10), True),  # 调休 Saturday
    ],
)
def test_is_open(cal: WorkCalendar, moment: datetime, open_: bool) -> None:
    assert cal.is_open(moment) is open_


def test_next_opening(cal: WorkCalendar) -> None:
    assert cal.next_opening(at(2026, 3, 3, 8)) == at(2026, 3, 3, 9)
    assert cal.next_opening(at(2026, 3, 3, 9)) == at(2026, 3, 3, 9)
    assert cal.next_opening(at(2026, 3, 3, 10)) == at(2026, 3, 4, 9)
    assert cal.next_opening(at(2026, 9, 30, 18)) == at(2026, 10, 8, 9)
    assert cal.next_opening(at(2026, 10, 9, 18)) == at(2026, 10, 10, 9)  # 调休 Saturday


# -- staff_time -----------------------------------------------------------


def test_staff_reminder_at_night_waits_for_the_morning(cal: WorkCalendar) -> None:
    assert cal.staff_time(at(2026, 3, 3, 23)) == at(2026, 3, 4, 9)
    assert cal.staff_time(at(2026, 3, 4, 6)) == at(2026, 3, 4, 9)


def test_staff_reminder_over_a_weekend_or_holiday(cal: WorkCalendar) -> None:
    assert cal.staff_time(at(2026, 3, 6, 20)) == at(2026, 3, 9, 9)  # Fri → Mon
    assert cal.staff_time(at(2026, 9, 30, 18)) == at(2026, 10, 8, 9)  # → after 国庆
    assert cal.staff_time(at(2026, 10, 3, 11)) == at(2026, 10, 8, 9)


def test_staff_reminder_in_office_hours_goes_at_once(cal: WorkCalendar) -> None:
    moment = at(2026, 10, 10, 15)  # 调休 Saturday
    assert cal.staff_time(moment) is moment


def test_urgent_staff_reminder_goes_day_and_night(cal: WorkCalendar) -> None:
    night = at(2026, 10, 3, 3, 0)
    assert cal.staff_time(night, urgent=True) is night


def test_staff_time_keeps_callers_tzinfo(cal: WorkCalendar) -> None:
    moment = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    sent = cal.staff_time(moment)
    assert sent.tzinfo is UTC
    assert sent == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)


# -- resident_time --------------------------------------------------------


def test_resident_message_at_night_waits_for_0800(cal: WorkCalendar) -> None:
    assert cal.resident_time(at(2026, 3, 3, 22)) == at(2026, 3, 4, 8)
    assert cal.resident_time(at(2026, 3, 3, 21)) == at(2026, 3, 4, 8)
    assert cal.resident_time(at(2026, 3, 4, 7, 59)) == at(2026, 3, 4, 8)


def test_resident_message_in_the_day_goes_at_once(cal: WorkCalendar) -> None:
    for moment in (at(2026, 3, 3, 8), at(2026, 3, 3, 20, 59), at(2026, 10, 3, 12)):
        assert cal.resident_time(moment) is moment


def test_awaited_answer_goes_at_once(cal: WorkCalendar) -> None:
    night = at(2026, 3, 3, 23, 30)
    assert cal.resident_time(night, awaited=True) is night


def test_resident_quiet_window_without_midnight() -> None:
    cal = WorkCalendar(SHANGHAI, resident_quiet_hours=QuietHours(time(0, 0), time(7, 0)))
    assert cal.resident_time(at(2026, 3, 3, 6)) == at(2026, 3, 3, 7)
    assert cal.resident_time(at(2026, 3, 3, 23)) == at(2026, 3, 3, 23)


def test_resident_time_keeps_callers_tzinfo(cal: WorkCalendar) -> None:
    moment = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    sent = cal.resident_time(moment)
    assert sent.tzinfo is UTC
    assert sent == datetime(2026, 3, 4, 0, 0, tzinfo=UTC)


# -- spans of the day -----------------------------------------------------


def test_office_hours_parse() -> None:
    assert OfficeHours.parse("09:00-17:30") == OfficeHours(time(9, 0), time(17, 30))
    assert OfficeHours.parse("8:30 - 17:00") == OfficeHours(time(8, 30), time(17, 0))
    assert str(OfficeHours.parse("09:00-17:30")) == "09:00-17:30"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9-17", "HH:MM-HH:MM"),
        ("09:00", "HH:MM-HH:MM"),
        ("24:00-25:00", "HH:MM-HH:MM"),
        ("09:60-17:00", "HH:MM-HH:MM"),
        ("17:30-09:00", "not before closing"),
        ("09:00-09:00", "not before closing"),
    ],
)
def test_office_hours_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        OfficeHours.parse(text)


def test_quiet_hours_parse() -> None:
    night = QuietHours.parse("21:00-08:00")
    assert night.wraps and night.contains(time(23)) and night.contains(time(7, 59))
    assert not night.contains(time(8)) and not night.contains(time(20, 59))
    with pytest.raises(ValueError, match="both 08:00"):
        QuietHours.parse("08:00-08:00")


# -- naive datetimes in the new API ---------------------------------------


def test_naive_datetimes_rejected_by_office_time(cal: WorkCalendar) -> None:
    naive = datetime(2026, 3, 3, 10)
    calls = [
        lambda: cal.deadline(naive, wd(1)),
        lambda: cal.deadline(naive, parse_duration("4h")),
        lambda: cal.deadline_before(naive, wd(1)),
        lambda: cal.is_open(naive),
        lambda: cal.next_opening(naive),
        lambda: cal.staff_time(naive),
        lambda: cal.staff_time(naive, urgent=True),
        lambda: cal.resident_time(naive),
        lambda: cal.resident_time(naive, awaited=True),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="no time zone"):
            call()
