"""Pure domain rules: who may do what from which state, phone numbers, escaping, masking."""

from __future__ import annotations

import pytest

from bot.domain.errors import NotAllowed, WrongState
from bot.domain.model import Role, Status
from bot.domain.rules import RULES, Actor, check
from bot.notify import render, texts
from bot.services.report import normal_phone
from storage.models import Request

RESIDENT = Actor(5001, Role.RESIDENT, None, "")
ASSIGNEE = Actor(1001, Role.ASSIGNEE, "municipal", "王师傅")
STRANGER = Actor(1002, Role.ASSIGNEE, "water", "李工")
OFFICE = Actor(9000, Role.DISPATCHER, None, "连心办")


def request(status: Status) -> Request:
    return Request(number="20261125-0001", resident_id=5001, status=status,
                   department="municipal", assignee_id=ASSIGNEE.id)


ALLOWED = {   # (action, actor) -> the only states it may start from
    ("route", OFFICE): {Status.TRIAGE},
    ("accept", ASSIGNEE): {Status.DISPATCHED},
    ("return", ASSIGNEE): {Status.DISPATCHED},
    ("resolve", ASSIGNEE): {Status.IN_PROGRESS},
    ("rate", RESIDENT): {Status.RESOLVED},
    ("reopen", RESIDENT): {Status.RESOLVED},
    ("withdraw", RESIDENT): {Status.TRIAGE, Status.DISPATCHED},
    ("spot_check", RESIDENT): {Status.CLOSED},
    ("progress", ASSIGNEE): {Status.IN_PROGRESS},
    ("extend", ASSIGNEE): {Status.IN_PROGRESS},
    ("restrict", ASSIGNEE): {Status.IN_PROGRESS},
    ("decide_extension", OFFICE): {Status.IN_PROGRESS},
    ("resume", OFFICE): {Status.RESTRICTED},
    ("close_restricted", OFFICE): {Status.RESTRICTED},
    ("add_co_handler", OFFICE): {Status.DISPATCHED, Status.IN_PROGRESS},
    ("add_info", RESIDENT): {Status.TRIAGE, Status.DISPATCHED, Status.IN_PROGRESS,
                             Status.RESTRICTED, Status.RESOLVED},
    ("urge", RESIDENT): {Status.TRIAGE, Status.DISPATCHED, Status.IN_PROGRESS},
    ("erase", RESIDENT): set(Status),
}
STAFF_ACTIONS = {"accept", "return", "resolve", "progress", "extend", "restrict", "co_note"}


@pytest.mark.parametrize("action", sorted(RULES))
@pytest.mark.parametrize("actor", [RESIDENT, ASSIGNEE, STRANGER, OFFICE], ids=lambda a: a.role)
@pytest.mark.parametrize("status", list(Status))
def test_rules_table(action: str, actor: Actor, status: Status) -> None:
    allowed = ALLOWED.get((action, actor))
    states = RULES[action][1]
    # staff pressing a card whose moment has passed: stale, not forbidden
    stale_card = actor in (STRANGER, ASSIGNEE) and action in STAFF_ACTIONS
    if allowed is None and stale_card and status not in states:
        with pytest.raises(WrongState):   # a task that moved on: stale, not forbidden
            check(action, actor, request(status))
    elif allowed is None:
        with pytest.raises(NotAllowed):
            check(action, actor, request(status))
    elif status in allowed:
        check(action, actor, request(status))
    else:
        with pytest.raises(WrongState):
            check(action, actor, request(status))


@pytest.mark.parametrize(("text", "expected"), [
    ("13812340000", "13812340000"), ("+86 138 1234 0000", "13812340000"),
    ("010-12345678", "010-12345678"), ("（0755）12345678", "075512345678"),
    ("12345", None), ("23812340000", None), ("一三八", None),
])
def test_phone_numbers(text: str, expected: str | None) -> None:
    assert normal_phone(text) == expected


def test_values_are_escaped_at_render_time() -> None:
    html = texts.fmt(texts.MY_ITEM, number="<b>1</b>", status="待接单", summary="a & b")
    assert html == "<b>&lt;b&gt;1&lt;/b&gt;</b>　待接单\na &amp; b"
    assert texts.fmt("{x}", x=texts.Html("<i>kept</i>")) == "<i>kept</i>"


def test_phone_is_masked_until_accepted() -> None:
    assert render.mask_phone("13812340000") == "138****0000"
    assert "1234" not in render.mask_phone("13812340000")


def test_traditional_residents_are_answered_in_traditional() -> None:
    assert texts.localise("您的诉求已办结", True) == "您的訴求已辦結"
    assert texts.localise("您的诉求已办结", False) == "您的诉求已办结"


def test_only_the_acceptor_or_the_supervisor_answers() -> None:
    colleague = Actor(1099, Role.ASSIGNEE, "municipal", "同事")
    supervisor = Actor(1101, Role.SUPERVISOR, "municipal", "分管领导")
    with pytest.raises(NotAllowed):
        check("resolve", colleague, request(Status.IN_PROGRESS))
    check("resolve", supervisor, request(Status.IN_PROGRESS))
