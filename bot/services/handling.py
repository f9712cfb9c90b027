"""Staff use cases between 接单 and 办结: progress, extension (延期), restricted (疑难受限),
the office's decisions on them, and the co-handlers' part (协办).

The steps a typed text finishes run inside the caller's unit of work (bot.services.dialogs);
the office's one-press decisions open their own.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.domain import handling
from bot.domain.durations import Duration
from bot.notify import texts
from bot.notify.replies import Say
from bot.services.core import Services
from bot.services.ledger import deadlines, load, record
from storage.uow import UnitOfWork

_EXTENSION = re.compile(r"^\s*(\d{1,3}|\d{4}-\d{2}-\d{2}|\d{1,2}月\d{1,2}日)\s*(.*)$", re.S)


class InvalidAnswer(ValueError):
    """A typed answer that cannot be used; `say` tells the person what to write instead."""

    def __init__(self, say: Say) -> None:
        super().__init__(say.template)
        self.say = say


def extension_due(svc: Services, text: str, *, now: datetime,
                  current: datetime | None) -> tuple[datetime, str]:
    """The new deadline and the reason from `N 原因` (N more working days after the
    `current` deadline, or from now without one, ending at office close), `YYYY-MM-DD 原因`
    or `M月D日 原因` (that day's close; the year is the next such date). Raises
    InvalidAnswer for anything else or a missing reason."""
    match = _EXTENSION.match(text)
    if match is None or not match.group(2).strip():
        raise InvalidAnswer(Say(texts.EXTENSION_FORMAT))
    when, reason = match.group(1), match.group(2).strip()
    if when.isdigit():
        return svc.calendar.deadline(current or now, Duration(int(when), "wd")), reason
    local = now.astimezone(svc.config.tz)
    try:
        if "月" in when:
            month, day = (int(x) for x in re.findall(r"\d+", when))
            chosen = date(local.year, month, day)
            if chosen < local.date():
                chosen = date(local.year + 1, month, day)
        else:
            chosen = date.fromisoformat(when)
    except ValueError:
        raise InvalidAnswer(Say(texts.EXTENSION_FORMAT)) from None
    close = datetime.combine(chosen, svc.calendar.office_hours.close, svc.config.tz)
    return close, reason


async def post_progress(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                        note: str) -> Say:
    """进展: the note goes to the resident and into the ledger."""
    req, actor = await load(uow, "progress", actor_id=actor_id, number=number)
    await record(uow, req, handling.progress(req, actor, note=note, at=svc.now()))
    return Say(texts.PROGRESS_ACK, {"number": number})


async def ask_extension(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                        text: str) -> Say:
    """申请延期 from `N 原因` / a date and a reason; the office decides."""
    req, actor = await load(uow, "extend", actor_id=actor_id, number=number)
    now = svc.now()
    due, reason = extension_due(svc, text, now=now, current=req.answer_due_at)
    if req.answer_due_at is not None and due <= req.answer_due_at:
        raise InvalidAnswer(Say(texts.EXTENSION_NOT_LATER))
    await record(uow, req, handling.request_extension(req, actor, due=due, reason=reason,
                                                      at=now))
    return Say(texts.EXTENSION_ASKED, {"number": number})


async def restrict_task(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                        explanation: str) -> Say:
    """疑难受限 with the explanation the resident receives."""
    req, actor = await load(uow, "restrict", actor_id=actor_id, number=number)
    await record(uow, req, handling.restrict(req, actor, explanation=explanation,
                                             at=svc.now()))
    return Say(texts.RESTRICTED_ACK, {"number": number})


async def post_co_note(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                       note: str) -> Say:
    """协办意见: a co-handling department's part, for the lead."""
    req, actor = await load(uow, "co_note", actor_id=actor_id, number=number)
    await record(uow, req, handling.co_note(req, actor, note=note, at=svc.now()))
    return Say(texts.CO_NOTE_ACK, {"number": number})


async def decide_extension(svc: Services, *, actor_id: int, number: str,
                           approve: bool) -> Say:
    """The office approves or refuses a pending extension."""
    async with svc.uow() as uow:
        req, actor = await load(uow, "decide_extension", actor_id=actor_id, number=number)
        await record(uow, req, handling.decide_extension(req, actor, approve=approve,
                                                         at=svc.now()))
        await uow.commit()
    return Say(texts.EXTENSION_APPROVED_ACK if approve else texts.EXTENSION_REFUSED_ACK,
               {"number": number})


async def resume_request(svc: Services, *, actor_id: int, number: str,
                         card: tuple[int, int] | None = None) -> Say:
    """恢复办理: a restricted request back to work, with a fresh answer deadline; `card` is
    the pressed message, which the caller updates."""
    async with svc.uow() as uow:
        uow.shown.update([card] if card else [])
        req, actor = await load(uow, "resume", actor_id=actor_id, number=number)
        event = handling.resume(req, actor, deadlines=deadlines(svc, req), at=svc.now())
        await record(uow, req, event)
        await uow.commit()
    return Say(texts.RESUMED_ACK, {"number": number})


async def close_restricted(svc: Services, *, actor_id: int, number: str,
                           card: tuple[int, int] | None = None) -> Say:
    """The office closes a restricted request as it stands; `card` is the pressed message,
    which the caller updates."""
    async with svc.uow() as uow:
        uow.shown.update([card] if card else [])
        req, actor = await load(uow, "close_restricted", actor_id=actor_id, number=number)
        await record(uow, req, handling.close_restricted(req, actor, at=svc.now()))
        await uow.commit()
    return Say(texts.RESTRICTED_CLOSED_ACK, {"number": number})



