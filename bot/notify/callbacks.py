"""The callback-data format of inline buttons, encoded and parsed in one place.

Data is never trusted: parsing only checks the shape; use cases re-check role and state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.limits import CALLBACK_DATA_BYTES

ACCEPT = "acc"
RETURN = "ret"
RESOLVE = "res"
ROUTE = "rt"
RATE = "rate"
WITHDRAW = "wd"
DRAFT = "d"
TRIAGE_ALL = "all"
SPOT = "spot"
PROGRESS = "prog"
EXTEND = "ext"
DECIDE_EXTENSION = "extd"
RESTRICT = "rst"
RESUME = "rsm"
CLOSE_RESTRICTED = "cls"
CO_NOTE = "co"
CO_MENU = "com"
CO_ADD = "coa"
LIST = "ls"
OPEN = "op"
MY_PAGE = "myp"       # /my: a page of the resident's requests
MY_OPEN = "myo"       # one request's detail
MY_ADD = "mya"        # 补充材料
MY_WITHDRAW = "myw"   # 撤回, asking to confirm (WITHDRAW then withdraws)
MY_URGE = "myu"       # 催办
MY_RATE = "myr"       # 评价: the survey again
ERASE = "er"          # /delete_my_data confirmed or not
SIMILAR = "sim"       # the same problem open nearby: join it (+1) or file a new one
FOLLOW = "fu"         # a follow-up message: attach it to one of the resident's requests

_NUMBER = r"\d{8}-\d{4,6}"
NUMBER = re.compile(_NUMBER)   # a request number, as buttons carry it
_CODE = r"[a-z][a-z0-9_]{0,19}"  # config codes: at most 20, so route data fits 64 bytes
_SHAPES: dict[str, re.Pattern[str]] = {
    ACCEPT: re.compile(rf"({_NUMBER})"),
    RETURN: re.compile(rf"({_NUMBER})"),
    RESOLVE: re.compile(rf"({_NUMBER})"),
    WITHDRAW: re.compile(rf"({_NUMBER})"),
    TRIAGE_ALL: re.compile(rf"({_NUMBER})(?::(\d{{1,2}}))?"),   # optional page
    CO_MENU: re.compile(rf"({_NUMBER})(?::(\d{{1,2}}))?"),
    CO_ADD: re.compile(rf"({_NUMBER}):({_CODE})"),
    LIST: re.compile(r"(tasks|triage|overdue):(\d{1,3})"),
    OPEN: re.compile(rf"({_NUMBER})"),
    ROUTE: re.compile(rf"({_NUMBER}):({_CODE})(?::({_CODE}))?"),
    RATE: re.compile(rf"({_NUMBER}):(satisfied|basic|unsatisfied)"),
    SPOT: re.compile(rf"({_NUMBER}):(satisfied|basic|unsatisfied)"),
    PROGRESS: re.compile(rf"({_NUMBER})"),
    EXTEND: re.compile(rf"({_NUMBER})"),
    DECIDE_EXTENSION: re.compile(rf"({_NUMBER}):(yes|no)"),
    RESTRICT: re.compile(rf"({_NUMBER})"),
    RESUME: re.compile(rf"({_NUMBER})"),
    CLOSE_RESTRICTED: re.compile(rf"({_NUMBER})"),
    CO_NOTE: re.compile(rf"({_NUMBER})"),
    MY_PAGE: re.compile(r"(\d{1,3})"),
    MY_OPEN: re.compile(rf"({_NUMBER})"),
    MY_ADD: re.compile(rf"({_NUMBER})"),
    MY_WITHDRAW: re.compile(rf"({_NUMBER})"),
    MY_URGE: re.compile(rf"({_NUMBER})"),
    MY_RATE: re.compile(rf"({_NUMBER})"),
    ERASE: re.compile(r"(yes|no)"),
    SIMILAR: re.compile(r"(join|new)"),
    FOLLOW: re.compile(rf"({_NUMBER}|new)"),
    DRAFT: re.compile(r"(ok|edit|cancel|description|photos|address|phone)"),
}


@dataclass(frozen=True)
class Callback:
    action: str
    args: tuple[str, ...]


def encode(action: str, *args: str) -> str:
    data = ":".join((action, *args))
    if parse(data) is None or len(data.encode()) > CALLBACK_DATA_BYTES:
        raise ValueError(f"not a valid callback: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """The button's action and arguments, or None for anything malformed."""
    if not data:
        return None
    action, _, rest = data.partition(":")
    shape = _SHAPES.get(action)
    match = shape.fullmatch(rest) if shape else None
    return Callback(action, tuple(g for g in match.groups() if g)) if match else None
