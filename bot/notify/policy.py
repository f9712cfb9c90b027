"""The notification policy: which ledger event tells whom what. Read it top to bottom.

A transition records what happened and nothing else; at commit, the service layer looks up
the unit of work's new events here and writes one outbox row per message and recipient,
in the same transaction. A new reminder, escalation or staff action is a new row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.config import Config
from bot.domain.model import Rating, Status
from bot.domain.transitions import LedgerEvent
from bot.domain.views import RequestView
from bot.notify import callbacks, render, texts
from bot.notify.replies import Buttons
from bot.notify.texts import fmt


class Audience(StrEnum):
    """Who a notice goes to (bot.services.publish resolves them to chats)."""

    RESIDENT = "resident"       # the resident, in Traditional if they write it
    DEPARTMENT = "department"   # the department's active assignees, then its group chat
    OFFICE = "office"           # the coordinating office's dispatchers
    ACTOR = "actor"             # whoever acted, in their own private chat
    HOLDERS = "holders"         # whoever holds a card: the department, or the office in triage
    ASSIGNEE = "assignee"       # whoever accepted the task
    LEAD = "lead"               # whoever holds the task: its acceptor, else its department
    ADDED_CO_HANDLER = "added_co_handler"   # the department just added as co-handler (协办)
    SUPERVISOR = "supervisor"   # the department's supervisors (分管领导)
    HOLDER = "holder"           # its acceptor, else its department, else (triage) the office
    FOLLOWERS = "followers"     # residents who joined it (+1), each in their own script


class Timing(StrEnum):
    """When a notice may go (bot.domain.calendar decides the moment)."""

    NOW = "now"             # at once: cards, and the answer a resident waits for
    STAFF = "staff"         # reminders and escalations: office hours, urgent requests at once
    RESIDENT = "resident"   # not in the residents' quiet hours (default 21:00-08:00)


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
    photos: tuple[str, ...] = ()   # sent before the text (the answer's photos)
    follow: tuple[str, ...] = ()   # messages after it: a clipped description's full text
    voice: str | None = None       # a voice message after the text (补充材料)


@dataclass(frozen=True)
class Notice:
    """A row of the policy: on `event`, if `when`, tell `audience` the `message` (an outbox
    row of `kind`)."""

    event: str
    audience: Audience
    kind: str
    message: Callable[[Occasion], Message]
    when: Callable[[Occasion], bool] = lambda _: True
    timing: Timing = Timing.NOW


# --- what each notice says ----------------------------------------------------------------

def _department(o: Occasion) -> str:
    return render.department_name(o.config, o.request.department)


def task_card(o: Occasion) -> Message:
    card = render.task_card(o.config, o.request, title=texts.TITLE_NEW_TASK)
    return Message(card, render.task_buttons(o.request.number, Status.DISPATCHED), True,
                   follow=render.full_text(o.request))


def reopened_card(o: Occasion) -> Message:
    card = render.task_card(o.config, o.request, title=texts.TITLE_REOPENED,
                            reason=o.event.detail["reason"])
    return Message(card, render.task_buttons(o.request.number, Status.DISPATCHED), True,
                   follow=render.full_text(o.request), voice=o.event.detail.get("voice"))


def acceptor_card(o: Occasion) -> Message:
    card = render.accepted_card(o.config, o.request, acceptor=o.event.actor.name, reveal=True)
    return Message(card.text, card.buttons)


def unreachable_card(o: Occasion) -> Message:
    """A task card that reached nobody in its department, offered to the office again."""
    returned = (o.event.detail["department"], texts.UNREACHABLE_REASON)
    return Message(render.triage_card(o.config, o.request, returned=returned),
                   render.triage_buttons(o.config, o.request))


def triage_card(o: Occasion) -> Message:
    """A new request for the office to route, its photos and voice after it (a voice-only
    description is heard here first)."""
    return Message(render.triage_card(o.config, o.request),
                   render.triage_buttons(o.config, o.request), True,
                   follow=render.full_text(o.request))


def returned_card(o: Occasion) -> Message:
    returned = (o.event.detail["department"], o.event.detail["reason"])
    return Message(render.triage_card(o.config, o.request, returned=returned),
                   render.triage_buttons(o.config, o.request), follow=render.full_text(o.request))


def urgent_alert(o: Occasion) -> Message:
    return Message(render.urgent_notice(o.request), follow=render.full_text(o.request))


def accepted(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_ACCEPTED, number=o.request.number,
                       department=_department(o)))


def answer(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_ANSWER, number=o.request.number,
                       answer=o.event.detail["answer"], department=_department(o)),
                   render.survey_buttons(o.request.number),
                   photos=tuple(o.event.detail.get("photos", ())))


def reopen_escalation(o: Occasion) -> Message:
    return Message(fmt(texts.REOPEN_ESCALATION, number=o.request.number,
                       count=o.request.reopen_count, reason=o.event.detail["reason"],
                       department=_department(o)))


def withdrawn(o: Occasion) -> Message:
    return Message(fmt(texts.WITHDRAWN_NOTICE, number=o.request.number))


def answer_alone(o: Occasion) -> Message:
    return Message(fmt(texts.ANSWER_WITHOUT_SURVEY, number=o.request.number,
                       answer=o.event.detail["answer"], department=_department(o)),
                   photos=tuple(o.event.detail.get("photos", ())))


def survey(o: Occasion) -> Message:
    return Message(fmt(texts.SURVEY, number=o.request.number,
                       summary=render.shorten(o.request.description)),
                   render.survey_buttons(o.request.number))


def survey_reminder(o: Occasion) -> Message:
    return Message(fmt(texts.SURVEY_REMINDER, number=o.request.number),
                   render.survey_buttons(o.request.number))


def _chase(template: str, due: datetime | None) -> Callable[[Occasion], Message]:
    def message(o: Occasion) -> Message:
        return Message(fmt(template, number=o.request.number, department=_department(o),
                           due=render.local_time(due, o.config.tz) if due else "",
                           summary=render.shorten(o.request.description)))
    return message


def accept_reminder(o: Occasion) -> Message:
    return _chase(texts.ACCEPT_REMINDER, o.request.accept_due_at)(o)


def accept_escalation(o: Occasion) -> Message:
    return _chase(texts.ACCEPT_ESCALATION, o.request.accept_due_at)(o)


def answer_reminder(o: Occasion) -> Message:
    return _chase(texts.ANSWER_REMINDER, o.request.answer_due_at)(o)


def answer_escalation(o: Occasion) -> Message:
    return _chase(texts.ANSWER_ESCALATION, o.request.answer_due_at)(o)


def office_escalation(o: Occasion) -> Message:
    return _chase(texts.OFFICE_ESCALATION, o.request.answer_due_at)(o)


def spot_check_survey(o: Occasion) -> Message:
    return Message(fmt(texts.SPOT_CHECK, number=o.request.number,
                       summary=render.shorten(o.request.description)),
                   render.survey_buttons(o.request.number, callbacks.SPOT))


def spot_check_unsatisfied(o: Occasion) -> Message:
    return _chase(texts.SPOT_CHECK_UNSATISFIED, None)(o)


def spot_check_comment(o: Occasion) -> Message:
    return Message(fmt(texts.SPOT_CHECK_COMMENT_NOTICE, number=o.request.number,
                       comment=o.event.detail["comment"]), voice=o.event.detail.get("voice"))


def restricted_review(o: Occasion) -> Message:
    return Message(_chase(texts.RESTRICTED_REVIEW, None)(o).text,
                   render.restricted_buttons(o.request.number))


def _local(o: Occasion, iso: str | None) -> str:
    return render.local_time(datetime.fromisoformat(iso) if iso else None, o.config.tz)


def resident_progress(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_PROGRESS, number=o.request.number,
                       note=o.event.detail["note"], department=_department(o)))


def extension_request(o: Occasion) -> Message:
    return Message(fmt(texts.EXTENSION_REQUEST, number=o.request.number,
                       department=_department(o), reason=o.event.detail["reason"],
                       old_due=render.local_time(o.request.answer_due_at, o.config.tz),
                       due=_local(o, o.event.detail["due"]),
                       summary=render.shorten(o.request.description)),
                   render.extension_buttons(o.request.number))


def resident_extended(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_EXTENDED, number=o.request.number,
                       due=_local(o, o.event.detail["due"]), department=_department(o)))


def extension_approved(o: Occasion) -> Message:
    return Message(fmt(texts.EXTENSION_APPROVED, number=o.request.number,
                       due=_local(o, o.event.detail["due"])))


def extension_refused(o: Occasion) -> Message:
    return Message(fmt(texts.EXTENSION_REFUSED, number=o.request.number,
                       due=render.local_time(o.request.answer_due_at, o.config.tz)))


def resident_restricted(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_RESTRICTED, number=o.request.number,
                       department=_department(o), explanation=o.event.detail["explanation"]))


def restricted_notice(o: Occasion) -> Message:
    return Message(fmt(texts.RESTRICTED_NOTICE, number=o.request.number,
                       department=_department(o), explanation=o.event.detail["explanation"],
                       summary=render.shorten(o.request.description)),
                   render.restricted_buttons(o.request.number))


def resumed(o: Occasion) -> Message:
    return Message(fmt(texts.RESUMED_NOTICE, number=o.request.number,
                       due=render.local_time(o.request.answer_due_at, o.config.tz),
                       summary=render.shorten(o.request.description)),
                   render.task_buttons(o.request.number, Status.IN_PROGRESS))


def resident_restricted_closed(o: Occasion) -> Message:
    return Message(fmt(texts.RESIDENT_RESTRICTED_CLOSED, number=o.request.number))


def co_task_card(o: Occasion) -> Message:
    title = fmt(texts.CO_TASK_TITLE, lead=_department(o))
    card = render.task_card(o.config, o.request, title=title)
    return Message(card, render.co_buttons(o.request.number), True,
                   follow=render.full_text(o.request))


def co_note_notice(o: Occasion) -> Message:
    department = render.department_name(o.config, o.event.detail["department"])
    return Message(fmt(texts.CO_NOTE_NOTICE, number=o.request.number, department=department,
                       note=o.event.detail["note"]))


def released_card(o: Occasion) -> Message:
    """A departed member's task, back on the department's desk to be accepted again."""
    card = render.task_card(o.config, o.request, title=texts.TITLE_RELEASED)
    return Message(card, render.task_buttons(o.request.number, Status.DISPATCHED), True,
                   follow=render.full_text(o.request))


def released_triage_card(o: Occasion) -> Message:
    """A departed member's task whose department has nobody left: the office routes it."""
    released = (o.event.detail["department"], o.event.detail["reason"])
    return Message(render.triage_card(o.config, o.request, released=released),
                   render.triage_buttons(o.config, o.request), follow=render.full_text(o.request))


def added_information(o: Occasion) -> Message:
    detail, number = o.event.detail, o.request.number
    text = detail.get("text") or texts.ADD_INFO_MEDIA_ONLY
    return Message(fmt(texts.ADD_INFO_NOTICE, number=number, text=render.card_description(text),
                       summary=render.shorten(o.request.description)),
                   photos=tuple(detail.get("photos", ())), voice=detail.get("voice"),
                   follow=render.full_pieces(number, text))


def followed(message: Callable[[Occasion], Message]) -> Callable[[Occasion], Message]:
    """A resident-facing notice as residents who joined the request (+1) get it: marked as
    the request they follow, without buttons (the survey stays with whoever reported it)."""
    def for_followers(o: Occasion) -> Message:
        told = message(o)
        return Message(fmt(texts.FOLLOWED_PREFIX) + told.text, photos=told.photos)
    return for_followers


def follower_withdrawn(o: Occasion) -> Message:
    return Message(fmt(texts.FOLLOWER_WITHDRAWN, number=o.request.number))


def joined(o: Occasion) -> Message:
    """又有一位居民反映: one more resident joined (+1), with what they wrote."""
    detail = o.event.detail
    return Message(fmt(texts.JOIN_NOTICE, number=o.request.number, count=detail["count"],
                       text=render.card_description(detail.get("text") or ""),
                       summary=render.shorten(o.request.description)),
                   photos=tuple(detail.get("photos", ())))


def urged(o: Occasion) -> Message:
    return Message(fmt(texts.URGE_NOTICE, number=o.request.number,
                       count=o.event.detail["count"],
                       due=render.local_time(o.request.answer_due_at, o.config.tz),
                       summary=render.shorten(o.request.description)))


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


def unsatisfied(o: Occasion) -> bool:
    return (o.event.detail.get("rating") == Rating.UNSATISFIED
            or bool(o.event.context.get("unsatisfied")))


def survey_with_answer(o: Occasion) -> bool:
    return not o.event.context.get("survey_later")


def survey_later(o: Occasion) -> bool:
    return bool(o.event.context.get("survey_later"))


# --- the policy ---------------------------------------------------------------------------

A, T = Audience, Timing
POLICY: tuple[Notice, ...] = (
    # transitions
    Notice("submit", A.DEPARTMENT, "task_card", task_card, when=dispatched),
    Notice("submit", A.OFFICE, "triage_card", triage_card, when=in_triage),
    Notice("submit", A.OFFICE, "urgent_alert", urgent_alert, when=urgent),
    Notice("route", A.DEPARTMENT, "task_card", task_card),
    Notice("accept", A.RESIDENT, "accepted", accepted, timing=T.RESIDENT),
    Notice("accept", A.ACTOR, "task_card", acceptor_card, when=pressed_in_group),
    Notice("return", A.OFFICE, "triage_card", returned_card),
    Notice("unreachable", A.OFFICE, "triage_card", unreachable_card),   # delivery: nobody got it
    Notice("resolve", A.RESIDENT, "answer", answer, when=survey_with_answer),
    Notice("resolve", A.RESIDENT, "answer", answer_alone, when=survey_later),
    Notice("reopen", A.DEPARTMENT, "task_card", reopened_card),
    Notice("reopen", A.OFFICE, "reopen_escalation", reopen_escalation, when=escalated),
    Notice("withdraw", A.HOLDERS, "withdrawn", withdrawn),
    Notice("withdraw", A.OFFICE, "withdrawn", withdrawn, when=urgent_in_a_department),
    # working the task: 进展, 延期, 疑难受限, 协办
    Notice("progress", A.RESIDENT, "progress", resident_progress, timing=T.RESIDENT),
    Notice("extension_requested", A.OFFICE, "extension_request", extension_request),
    Notice("extension_approved", A.RESIDENT, "extended", resident_extended, timing=T.RESIDENT),
    Notice("extension_approved", A.ASSIGNEE, "extension_decided", extension_approved),
    Notice("extension_refused", A.ASSIGNEE, "extension_decided", extension_refused),
    Notice("restrict", A.RESIDENT, "restricted", resident_restricted),
    Notice("restrict", A.OFFICE, "restricted_notice", restricted_notice),
    Notice("resume", A.LEAD, "resumed", resumed),
    Notice("close_restricted", A.RESIDENT, "restricted_closed", resident_restricted_closed,
           timing=T.RESIDENT),
    Notice("co_added", A.ADDED_CO_HANDLER, "co_task_card", co_task_card),
    Notice("co_note", A.LEAD, "co_note", co_note_notice),
    # the sweeps: reminders, 督办, 回访
    Notice("accept_remind", A.DEPARTMENT, "reminder", accept_reminder, timing=T.STAFF),
    Notice("accept_escalate", A.SUPERVISOR, "escalation", accept_escalation, timing=T.STAFF),
    Notice("accept_escalate", A.OFFICE, "escalation", accept_escalation, timing=T.STAFF),
    Notice("answer_remind", A.ASSIGNEE, "reminder", answer_reminder, timing=T.STAFF),
    Notice("answer_escalate", A.SUPERVISOR, "escalation", answer_escalation, timing=T.STAFF),
    Notice("office_escalate", A.OFFICE, "escalation", office_escalation, timing=T.STAFF),
    Notice("survey_send", A.RESIDENT, "survey", survey, timing=T.RESIDENT),
    Notice("survey_remind", A.RESIDENT, "survey", survey_reminder, timing=T.RESIDENT),
    Notice("restricted_review", A.OFFICE, "review", restricted_review, timing=T.STAFF),
    # 抽访: the resident is asked again; what is not satisfied goes to the office
    Notice("spot_check_sent", A.RESIDENT, "spot_check", spot_check_survey, timing=T.RESIDENT),
    Notice("spot_check", A.OFFICE, "spot_check_alert", spot_check_unsatisfied,
           when=unsatisfied, timing=T.STAFF),
    Notice("spot_check_comment", A.OFFICE, "spot_check_alert", spot_check_comment,
           when=unsatisfied, timing=T.STAFF),
    # staff changes: a removed member's tasks go back to the department, or to the office
    Notice("release", A.DEPARTMENT, "task_card", released_card, when=dispatched),
    Notice("release", A.OFFICE, "triage_card", released_triage_card, when=in_triage),
    # residents' self-service: 补充材料 and 催办 go to whoever holds the request
    Notice("add_info", A.HOLDER, "add_info", added_information),
    Notice("urge", A.HOLDER, "urge", urged, timing=T.STAFF),
    # +1: one more resident joined; they hear what the reporter hears, but for the survey
    Notice("join", A.HOLDER, "joined", joined, timing=T.STAFF),
    Notice("accept", A.FOLLOWERS, "accepted", followed(accepted), timing=T.RESIDENT),
    Notice("progress", A.FOLLOWERS, "progress", followed(resident_progress),
           timing=T.RESIDENT),
    Notice("extension_approved", A.FOLLOWERS, "extended", followed(resident_extended),
           timing=T.RESIDENT),
    Notice("resolve", A.FOLLOWERS, "answer", followed(answer_alone)),
    Notice("restrict", A.FOLLOWERS, "restricted", followed(resident_restricted)),
    Notice("close_restricted", A.FOLLOWERS, "restricted_closed",
           followed(resident_restricted_closed), timing=T.RESIDENT),
    Notice("withdraw", A.FOLLOWERS, "withdrawn", follower_withdrawn, timing=T.RESIDENT),
)


# cards: each sent copy is kept and edited to the request's current state as it moves
CARD_KINDS = frozenset({"task_card", "co_task_card", "triage_card"})
# events that change what a card shows without a change of state: the contact erased, the
# answer deadline, the office's 同意延期/不同意 buttons
REFRESH_EVENTS = frozenset({"erase", "extension_requested", "extension_approved",
                            "extension_refused", "join"})


def notices_for(occasion: Occasion) -> list[tuple[Notice, Message]]:
    """The policy's notices for one event that apply, each with its message, in order."""
    return [(n, n.message(occasion)) for n in POLICY
            if n.event == occasion.event.kind and n.when(occasion)]
