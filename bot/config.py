"""The YAML config of DESIGN.md's contract, validated once at start.

Every error names the file, the key and what is wrong (`ConfigError.lines`).
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    field_validator,
)

from bot.domain.calendar import (
    DEFAULT_OFFICE_HOURS,
    DEFAULT_RESIDENT_QUIET_HOURS,
    OfficeHours,
    QuietHours,
)
from bot.domain.durations import Duration, parse_duration

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
TERRITORIAL = "territorial"


class ConfigError(Exception):
    """A config that cannot be used; `lines` are `file: key: what is wrong`."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    return parse_duration(value)


DurationField = Annotated[Duration, BeforeValidator(_duration)]


def _office_hours(value: Any) -> OfficeHours:
    return value if isinstance(value, OfficeHours) else OfficeHours.parse(value)


def _quiet_hours(value: Any) -> QuietHours:
    return value if isinstance(value, QuietHours) else QuietHours.parse(value)


# `HH:MM-HH:MM` spans of the local day (the config's timezone).
OfficeHoursField = Annotated[OfficeHours, PlainValidator(_office_hours)]
QuietHoursField = Annotated[QuietHours, PlainValidator(_quiet_hours)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Limits(_Strict):
    accept: DurationField = parse_duration("4h")
    answer: DurationField = parse_duration("7wd")
    remind_before: DurationField = parse_duration("1wd")
    survey_delay: DurationField = parse_duration("0s")
    survey_expires: DurationField = parse_duration("3d")
    max_reopens: int = Field(2, ge=0)
    escalate_after: DurationField = parse_duration("1wd")   # 督办 level 1 → level 2 (office)
    survey_remind: DurationField = parse_duration("1d")      # one reminder after the survey
    restricted_review: DurationField = parse_duration("30d")  # 疑难受限 back to the office


class LimitOverrides(_Strict):
    """A category's own limits; what it leaves out comes from the defaults."""

    accept: DurationField | None = None
    answer: DurationField | None = None
    remind_before: DurationField | None = None
    survey_delay: DurationField | None = None
    survey_expires: DurationField | None = None
    max_reopens: int | None = Field(None, ge=0)
    escalate_after: DurationField | None = None
    survey_remind: DurationField | None = None
    restricted_review: DurationField | None = None


def _clock(value: Any) -> Any:
    """`08:30` as written in YAML: a string, or (unquoted, YAML 1.1 base 60) minutes."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


ClockField = Annotated[time, BeforeValidator(_clock)]


class Scheduler(_Strict):
    tick: DurationField = parse_duration("30s")
    retrain: DurationField = parse_duration("1d")   # how often routing learns from the office
    digest_at: ClockField = time(8, 30)   # each working morning, local time

    @field_validator("tick", "retrain")
    @classmethod
    def _calendar_tick(cls, value: Duration) -> Duration:
        if value.working_days or value.as_timedelta().total_seconds() < 1:
            raise ValueError("use a calendar duration of at least 1s, e.g. 30s or 1d")
        return value


class SpotCheck(_Strict):
    """抽访: each working day at `at`, a sample of the requests closed within `within` gets a
    second, short survey."""

    share: float = Field(0.1, ge=0, le=1)
    max: int = Field(20, ge=0)
    within: DurationField = parse_duration("7d")
    at: ClockField = time(10, 0)


class Routing(_Strict):
    # Keyword points the best category needs, and its lead over the second: the defaults
    # route a single keyword (or a single word of a category's name, `name_weight`) and
    # triage only what matched nothing or is an exact tie.
    min_score: float = Field(0.25, gt=0)
    min_margin: float = Field(0.01, ge=0)
    # A keyword common in general Chinese (建设, 文化) counts less than a rare one (黑臭):
    # one mention counts 1 / (1 + keyword_rarity × ln(1 + jieba frequency / 100)) of its
    # weight; 0 counts every keyword at its configured weight.
    keyword_rarity: float = Field(0.1, ge=0)
    # The words of each category's name and of its department's name (环境, 劳动, 住房)
    # count as keywords of this weight when not configured as keywords; 0: off.
    name_weight: float = Field(0.5, ge=0)
    urgent_words: list[str] = Field(
        default_factory=lambda: ["燃气", "煤气", "漏气", "漏电", "起火", "着火", "火灾",
                                 "塌陷", "被困", "触电"]
    )
    # An urgent keyword's category ranks first whatever the model says, unless the model
    # gives another category at least this calibrated probability: 燃气 in a complaint
    # about a gas company's prices is a commerce matter the model has learned, and the
    # request stays urgent either way (on the 网络问政 corpus the keyword rule was wrong
    # 22 times in 28 where the model disagreed at ≥ 0.9).
    urgent_overruled_at: float = Field(0.9, gt=0, le=1)
    urgent_limits: LimitOverrides = LimitOverrides(accept=parse_duration("30m"),
                                                   answer=parse_duration("1d"))
    learn_min_examples: int = Field(20, ge=1)
    # A learned probability (0–1) counts this many keyword points: at 3.0 a confident
    # model (p ≥ 0.5) outvotes a single keyword of another category.
    learned_weight: float = Field(3.0, ge=0)
    # With a model: the best category's calibrated probability needed to dispatch without
    # a dispatcher (min_score / min_margin then judge only what the model does not cover).
    min_confidence: float = Field(0.3, ge=0, le=1)
    # A multi-character keyword heard through a homophone typo of a pinyin input method
    # (路等 for 路灯) counts this share of its weight; 0 turns such matching off.
    pinyin_factor: float = Field(0.8, ge=0, le=1)
    # A shared location outside every polygon goes to the nearest area centre within this.
    area_radius_km: float = Field(3.0, gt=0)


class Residents(_Strict):
    """What one resident may do: `daily_reports` requests a local day (a grid worker's
    reports for others not counted)."""

    daily_reports: int = Field(10, ge=1)


class WorkCalendarConfig(_Strict):
    """Days the statutory calendar gets wrong or does not cover yet."""

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


def _code(value: str) -> str:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise ValueError(
            f"{value!r} is not a code: use 1–20 lowercase letters, digits or _, "
            "starting with a letter"
        )
    return value


Code = Annotated[str, BeforeValidator(_code)]


class Department(_Strict):
    code: Code
    name: str = Field(min_length=1)
    chat_id: int | None = None
    supervisor: int | None = None


class Keyword(_Strict):
    word: str = Field(min_length=1)
    weight: float = Field(1.0, gt=0)


def _keyword(value: Any) -> Any:
    return {"word": value} if isinstance(value, str) else value


class Category(_Strict):
    code: Code
    name: str = Field(min_length=1)
    department: str
    keywords: list[Annotated[Keyword, BeforeValidator(_keyword)]] = Field(min_length=1)
    limits: LimitOverrides = LimitOverrides()

    @property
    def territorial(self) -> bool:
        return self.department == TERRITORIAL


class Area(_Strict):
    code: Code
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    unit: str
    center: tuple[float, float] | None = None          # (latitude, longitude)
    polygon: list[tuple[float, float]] | None = None   # (latitude, longitude) corners

    @field_validator("polygon")
    @classmethod
    def _enough_corners(
        cls, value: list[tuple[float, float]] | None
    ) -> list[tuple[float, float]] | None:
        if value is not None and len(value) < 3:
            raise ValueError("a polygon needs at least 3 [latitude, longitude] corners")
        return value


class Staff(_Strict):
    telegram_id: int
    name: str = Field(min_length=1)
    department: str | None = None
    role: Literal["assignee", "dispatcher", "supervisor", "admin", "grid"]


class Config(_Strict):
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh-Hans", "zh-Hant"] = "zh-Hans"
    limits: Limits = Limits()
    scheduler: Scheduler = Scheduler()
    spot_check: SpotCheck = SpotCheck()
    routing: Routing = Routing()
    residents: Residents = Residents()
    calendar: WorkCalendarConfig = WorkCalendarConfig()
    # Working-day deadlines end at closing time; staff reminders wait for opening time.
    office_hours: OfficeHoursField = DEFAULT_OFFICE_HOURS
    # Residents are not messaged in this window (it may wrap midnight), except for an answer.
    resident_quiet_hours: QuietHoursField = DEFAULT_RESIDENT_QUIET_HOURS
    departments: list[Department] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    areas: list[Area] = Field(default_factory=list)
    staff: list[Staff] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Shanghai") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def department(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def limits_for(self, category_code: str | None, *, urgent: bool = False) -> Limits:
        """The defaults, overridden by the category's limits, then by urgency's."""
        category = self.category(category_code) if category_code else None
        layers = [category.limits if category else None,
                  self.routing.urgent_limits if urgent else None]
        merged = self.limits
        for layer in layers:
            if layer is not None:
                changes = {k: v for k, v in layer if v is not None}
                merged = merged.model_copy(update=changes)
        return merged


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _cross_references(config: Config) -> list[str]:
    """Errors pydantic cannot see: duplicate codes and references between sections."""
    errors: list[str] = []
    departments = {d.code for d in config.departments}
    for section in ("departments", "categories", "areas"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(config, section)):
            if item.code in seen:
                errors.append(f"{section}[{i}].code: duplicate code {item.code!r}")
            seen.add(item.code)
    for i, category in enumerate(config.categories):
        if not category.territorial and category.department not in departments:
            errors.append(
                f"categories[{i}].department: unknown department {category.department!r} "
                f"(a department code or {TERRITORIAL!r})"
            )
    if any(c.territorial for c in config.categories) and not config.areas:
        errors.append("areas: territorial categories need at least one area")
    for i, area in enumerate(config.areas):
        if area.unit not in departments:
            errors.append(f"areas[{i}].unit: unknown department {area.unit!r}")
    seen_ids: set[int] = set()
    for i, person in enumerate(config.staff):
        if person.telegram_id in seen_ids:
            errors.append(f"staff[{i}].telegram_id: {person.telegram_id} is listed twice")
        seen_ids.add(person.telegram_id)
        if person.department is not None and person.department not in departments:
            errors.append(f"staff[{i}].department: unknown department {person.department!r}")
        if person.role in ("assignee", "supervisor") and person.department is None:
            errors.append(f"staff[{i}].department: an {person.role} needs a department")
    return errors


def staffing_problems(config: Config) -> tuple[list[str], list[str]]:
    """(errors, warnings) about who the config's staff can reach, for `lianxin check-config`:
    no dispatcher is an error (triaged requests would reach nobody); a department with no
    assignee and no group chat is a warning (its task cards would reach nobody, until staff
    are added by the CLI or an invite)."""
    errors = [] if any(s.role == "dispatcher" for s in config.staff) else [
        "staff: no dispatcher: add one ({telegram_id: …, name: …, role: dispatcher}); "
        "triaged and returned requests would reach nobody"]
    staffed = {s.department for s in config.staff if s.role == "assignee"}
    warnings = [f"departments[{i}]: warning: {d.code!r} has no assignee in staff and no "
                "chat_id: its task cards would reach nobody"
                for i, d in enumerate(config.departments)
                if d.code not in staffed and d.chat_id is None]
    return errors, warnings


def parse_config(data: Any, source: str) -> Config:
    """Validate already-loaded YAML data; errors are prefixed with `source`."""
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: (top level): expected a mapping of keys, got {data!r:.40}"])
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown key (check its spelling)"
            lines.append(f"{source}: {_location(err['loc'])}: {message}")
        raise ConfigError(lines) from None
    problems = _cross_references(config)
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate the YAML file at `path`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([
            f"{path}: no such config file: write one with `lianxin demo-config > {path}`"
        ]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read the config: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError([f"{path}: {where}: not valid YAML: {exc}"]) from None
    return parse_config(data, str(path))
