"""Config validation: every error names the file, the key and what is wrong."""

from __future__ import annotations

import copy
from datetime import time
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config, parse_config
from bot.domain.calendar import OfficeHours, QuietHours, WorkCalendar
from bot.domain.durations import parse_duration
from tests.conftest import demo_config_data


def errors_of(data: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "lianxin.yaml")
    return caught.value.lines


def test_demo_config_is_complete() -> None:
    config = parse_config(demo_config_data(), "demo")
    assert len(config.departments) >= 8 and len(config.categories) >= 20
    words = {k.word for c in config.categories for k in c.keywords}
    for needed in ("路灯", "下水道", "井盖", "垃圾", "卫生死角", "物业", "加装电梯", "电梯故障",
                   "供暖", "噪音", "停车", "养犬", "医保", "低保", "户口", "公交", "绿化",
                   "灭蝇", "道路", "邻里", "燃气", "漏电"):
        assert any(needed in w or w in needed for w in words), needed
    assert {"燃气", "漏电"} <= set(config.routing.urgent_words)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["limits"].update(accept="4 hours"), "lianxin.yaml: limits.accept: '4 hours' is not a duration"),
    (lambda d: d["categories"][0].update(department="nowhere"), "lianxin.yaml: categories[0].department: unknown department 'nowhere'"),
    (lambda d: d["departments"].append(dict(d["departments"][0])), "lianxin.yaml: departments[18].code: duplicate code 'municipal'"),
    (lambda d: d["staff"][0].update(role="boss"), "lianxin.yaml: staff[0].role: Input should be"),
    (lambda d: d["staff"][0].pop("department"), "lianxin.yaml: staff[0].department: an assignee needs a department"),
    (lambda d: d["areas"][0].update(unit="nobody"), "lianxin.yaml: areas[0].unit: unknown department 'nobody'"),
    (lambda d: d.update(timezone="Mars/Olympus"), "lianxin.yaml: timezone: unknown time zone 'Mars/Olympus'"),
    (lambda d: d.update(colour="red"), "lianxin.yaml: colour: unknown key"),
    (lambda d: d["categories"][1].update(keywords=[]), "lianxin.yaml: categories[1].keywords: List should have at least 1 item"),
    (lambda d: d["categories"][1].update(code="Road Repair"), "lianxin.yaml: categories[1].code: 'Road Repair' is not a code"),
    (lambda d: d.pop("departments"), "lianxin.yaml: departments: Field required"),
    (lambda d: d["scheduler"].update(tick="1wd"), "lianxin.yaml: scheduler.tick: use a calendar duration"),
    (lambda d: d["limits"].update(answer="7 working days"), "lianxin.yaml: limits.answer: '7 working days' is not a duration"),
    (lambda d: d["limits"].update(answer="99999999wd"), "lianxin.yaml: limits.answer: '99999999wd' is too long"),
    (lambda d: d.update(office_hours="9-17"), "lianxin.yaml: office_hours: '9-17' is not a span of the day: write HH:MM-HH:MM"),
    (lambda d: d.update(office_hours="09:00"), "lianxin.yaml: office_hours: '09:00' is not a span of the day"),
    (lambda d: d.update(office_hours=540), "lianxin.yaml: office_hours: 540 is not a span of the day"),  # YAML 9:00
    (lambda d: d.update(office_hours="17:30-09:00"), "lianxin.yaml: office_hours: opening 17:30 is not before closing 09:00"),
    (lambda d: d.update(office_hours="09:00-09:00"), "lianxin.yaml: office_hours: opening 09:00 is not before closing 09:00"),
    (lambda d: d.update(resident_quiet_hours="21:00-08:00:00"), "lianxin.yaml: resident_quiet_hours: '21:00-08:00:00' is not a span of the day"),
    (lambda d: d.update(resident_quiet_hours="08:00-08:00"), "lianxin.yaml: resident_quiet_hours: start and end are both 08:00"),
    (lambda d: d.update(quiet_hours="21:00-08:00"), "lianxin.yaml: quiet_hours: unknown key"),
])
def test_errors_name_file_key_and_problem(change, expected: str) -> None:
    data = copy.deepcopy(demo_config_data())
    change(data)
    lines = errors_of(data)
    assert any(line.startswith(expected) for line in lines), lines


def test_not_a_mapping() -> None:
    assert errors_of(["a", "list"])[0].startswith("lianxin.yaml: (top level): expected a mapping")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("timezone: Asia/Shanghai\ndepartments: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.lines[0].startswith(f"{path}: line ")


def test_category_and_urgent_limits_override_defaults() -> None:
    data = copy.deepcopy(demo_config_data())
    data["categories"][0]["limits"] = {"answer": "3wd"}
    config = parse_config(data, "x")
    code = data["categories"][0]["code"]
    assert config.limits_for(code).answer == parse_duration("3wd")
    assert config.limits_for(code).accept == parse_duration("4h")
    assert config.limits_for(code, urgent=True).answer == parse_duration("1d")
    assert config.limits_for(None).answer == parse_duration("7wd")


@pytest.mark.parametrize("text", ["", "7", "wd", "1.5h", "-3d", "3 days", "3y"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["99999999999d", "3661d", "87841h", "2501wd"])
def test_absurd_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="too long for a duration"):
        parse_duration(text)


def test_durations() -> None:
    assert parse_duration("30s").as_timedelta().total_seconds() == 30
    assert parse_duration("2h").as_timedelta().total_seconds() == 7200
    assert parse_duration("7wd").working_days
    assert parse_duration("3660d").as_timedelta().days == 3660
    assert parse_duration("2500wd").amount == 2500
    with pytest.raises(ValueError):
        parse_duration("7wd").as_timedelta()


def test_demo_config_round_trips_through_yaml() -> None:
    assert yaml.safe_load(yaml.safe_dump(demo_config_data())) == demo_config_data()


def test_office_and_quiet_hours_defaults_and_overrides() -> None:
    data = copy.deepcopy(demo_config_data())
    assert data["office_hours"] == "09:00-17:30"
    assert data["resident_quiet_hours"] == "21:00-08:00"
    for key in ("office_hours", "resident_quiet_hours"):
        data.pop(key)
    config = parse_config(data, "x")
    assert config.office_hours == OfficeHours(time(9, 0), time(17, 30))
    assert config.resident_quiet_hours == QuietHours(time(21, 0), time(8, 0))
    data.update(office_hours="08:30-17:00", resident_quiet_hours="22:00-07:30")
    calendar = WorkCalendar.from_config(parse_config(data, "x"))
    assert calendar.office_hours == OfficeHours(time(8, 30), time(17, 0))
    assert calendar.resident_quiet_hours == QuietHours(time(22, 0), time(7, 30))


def test_office_hours_unquoted_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "lianxin.yaml"
    data = copy.deepcopy(demo_config_data())
    text = yaml.safe_dump({k: v for k, v in data.items() if k != "office_hours"}, allow_unicode=True)
    path.write_text(text + "office_hours: 08:00-16:30\n", encoding="utf-8")
    assert load_config(path).office_hours == OfficeHours(time(8, 0), time(16, 30))


def test_routing_defaults_and_new_keys() -> None:
    data = demo_config_data()
    data.pop("routing", None)
    routing = parse_config(data, "lianxin.yaml").routing
    # Keyword-only defaults route a single keyword or name word (0.5 × rarity) and
    # triage exact ties and no match.
    assert (routing.min_score, routing.min_margin, routing.name_weight) == (0.25, 0.01, 0.5)
    assert routing.keyword_rarity == 0.1 and routing.min_confidence == 0.3
    data["routing"] = {"keyword_rarity": 0, "min_confidence": 0.6}
    routing = parse_config(data, "lianxin.yaml").routing
    assert (routing.keyword_rarity, routing.min_confidence) == (0, 0.6)
    for bad in ({"min_confidence": 1.5}, {"keyword_rarity": -1}):
        data["routing"] = bad
        assert any("routing" in line for line in errors_of(data))
