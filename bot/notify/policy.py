"""The notification policy: which ledger event tells whom what. Read it top to bottom.

A transition records what happened and nothing else; at commit, the service layer looks up
the unit of work's new events here and writes one outbox row per message and recipient,
in the same transaction. A new reminder, escalation or staff action is a new row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.config import Config
from bot.domain.model import Status
from bot.domain.transitions import LedgerEvent
from bot.domain.views import RequestView
from bot.notify import render, texts
from bot.notify.replies import Buttons
from bot.notify.texts import fmt


class Audience(StrEnum):
    """Who a notice goes to (bot.services.publish resolves them to chats)."""

    RESIDENT = "resident"       # the resident, in Traditional if they write it
    DEPARTMENT = "department"   # the department's active assignees, then its group chat
    OFFICE = "office"           # the coordinating office's dispatchers
    ACTOR = "actor"             # whoever acted, in their own private chat
    HOLDERS = "holders"         # whoever holds a card: the department, or the office in triage


@dataclass(frozen=True)
class Occasion:
    """What a notice is rendered from: the event, the request as it now is, the config."""

    event: LedgerEvent
    request: RequestView
    config: Config


@dataclass(frozen=True)
class Message:
    """One notice's content; `with_media`: the request's photos, voice and map follow it."""

    text: str
    buttons: Buttons = ()
    with_media: bool = False


@dataclass(frozen=True)
class Notice:
    """A row of the policy: on `event`, if `when`, tell `audience` the `message` (an outbox
    row of `kind`)."""

    event: str
    audience: Audience
    kind: str
    message: Callable[[Occasion], Message]
    when: Callable[[Occasion], bool] = lambda _: True


# --- what each notice says ----------------------------------------------------------------

def _department(o: Occasion) -> str:
    return render.department_name(o.config, o.request.department)


def task_card(o: Occasion) -> Message:
    card = render.task_card(o.config, o.request, title=texts.TITLE_NEW_TASK)
    return Message(card, render.task_buttons(o.request.number, Status.DISPATCHED), True)


def reopened_card(o: Occasion) -> Message:
    card = render.task_card(o.config, o.request, title=texts.TITLE_REOPENED,
                            reason=o.event.detail["reason"])
    return Message(card, render.task_buttons(o.request.number, Status.DISPATCHED), True)


def acceptor_card(o: Occasion) -> Message:
    card = render.accepted_card(o.config, o.request, acceptor=o.event.actor.name, reveal=True)
    return Message(card.text, card.buttons)


def triage_card(o: Occasion) -> Message:
    return Message(render.triage_card(o.config, o.request),
                   render.triage_buttons(o.config, o.request))


def returned_card(o: Occasion) -> Message:
    returned = (o.event.detail["department"], o.event.detail["reason"])
    return Message(render.triage_card(o.config, o.request, returned=returned),
                   render.triage_buttons(o.config, o.request))


def urgent_alert(o: Occasion) -> Message:
    return Message(render.urgent_notice(o.request))


def accepted(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_ACCEPTED, number=o.request.number,
                       department=_department(o)))


def answer(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_ANSWER, number=o.request.number,
                       answer=o.event.detail["answer"], department=_department(o)),
                   render.survey_buttons(o.request.number))


def reopen_escalation(o: Occasion) -> Message:
    return Message(fmt(texts.REOPEN_ESCALATION, number=o.request.number,
                       count=o.request.reopen_count, reason=o.event.detail["reason"],
                       department=_department(o)))


def withdrawn(o: Occasion) -> Message:
    return Message(fmt(texts.WITHDRAWN_NOTICE, number=o.request.number))


# --- when ---------------------------------------------------------------------------------

def dispatched(o: Occasion) -> bool:
    return o.event.to_status == Status.DISPATCHED


def in_triage(o: Occasion) -> bool:
    return o.event.to_status == Status.TRIAGE


def urgent(o: Occasion) -> bool:
    return o.request.urgent


def pressed_in_group(o: Occasion) -> bool:
    """Accepted on the group's card: the group's copy stays masked, the contact goes to
    the acceptor's own chat."""
    return bool(o.event.context.get("in_group"))


def escalated(o: Occasion) -> bool:
    return bool(o.event.context.get("escalated"))


def urgent_in_a_department(o: Occasion) -> bool:
    return o.request.urgent and o.request.department is not None


# --- the policy ---------------------------------------------------------------------------

A = Audience
POLICY: tuple[Notice, ...] = (
    Notice("submit", A.DEPARTMENT, "task_card", task_card, when=dispatched),
    Notice("submit", A.OFFICE, "triage_card", triage_card, when=in_triage),
    Notice("submit", A.OFFICE, "urgent_alert", urgent_alert, when=urgent),
    Notice("route", A.DEPARTMENT, "task_card", task_card),
    Notice("accept", A.RESIDENT, "accepted", accepted),
    Notice("accept", A.ACTOR, "task_card", acceptor_card, when=pressed_in_group),
    Notice("return", A.OFFICE, "triage_card", returned_card),
    Notice("resolve", A.RESIDENT, "answer", answer),
    Notice("reopen", A.DEPARTMENT, "task_card", reopened_card),
    Notice("reopen", A.OFFICE, "reopen_escalation", reopen_escalation, when=escalated),
    Notice("withdraw", A.HOLDERS, "withdrawn", withdrawn),
    Notice("withdraw", A.OFFICE, "withdrawn", withdrawn, when=urgent_in_a_department),
)


def notices_for(occasion: Occasion) -> list[tuple[Notice, Message]]:
    """The policy's notices for one event that apply, each with its message, in order."""
    return [(n, n.message(occasion)) for n in POLICY
            if n.event == occasion.event.kind and n.when(occasion)]
