"""At commit: the unit of work's new ledger events, through the notification policy, become
outbox rows in the same transaction (bot.delivery sends them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.model import Role
from bot.domain.schedule import timers_for
from bot.domain.transitions import LedgerEvent
from bot.domain.views import Media, RequestView
from bot.notify import render, texts
from bot.notify.policy import (
    CARD_KINDS,
    REFRESH_EVENTS,
    Audience,
    Message,
    Notice,
    Occasion,
    Timing,
    notices_for,
)
from bot.notify.replies import buttons_to_json
from bot.services.cards import department_group, refresh_copies
from bot.services.core import Services
from storage import queries
from storage.models import Request
from storage.uow import UnitOfWork


async def department_chats(session: AsyncSession, config: Config, department: str) -> list[int]:
    """Every active assignee of the department, then its group chat if it has one: the one
    Telegram moved it to (a supergroup upgrade, `department_chats`) while the config still
    names the old one, else the config's."""
    chats = [s.telegram_id for s in await queries.active_staff(
        session, role=Role.ASSIGNEE, department=department)]
    unit = config.department(department)
    if unit is None:
        return chats
    group = department_group(unit.chat_id,
                             (await queries.department_chat_overrides(session)).get(department))
    return chats if group is None else [*chats, group]


async def office_chats(session: AsyncSession) -> list[int]:
    """The coordinating office: every active dispatcher."""
    return [s.telegram_id for s in await queries.active_staff(session, role=Role.DISPATCHER)]


async def supervisor_chats(session: AsyncSession, config: Config, department: str) -> list[int]:
    """The department's supervisors: its configured supervisor, then supervisor staff."""
    unit = config.department(department)
    chats = [unit.supervisor] if unit is not None and unit.supervisor is not None else []
    return chats + [s.telegram_id for s in await queries.supervisors(session, department)
                    if s.telegram_id not in chats]


async def _chats(session: AsyncSession, config: Config, audience: Audience,
                 o: Occasion) -> list[int]:
    department = o.request.department
    if audience == Audience.RESIDENT:
        return [o.request.resident_id]
    if audience == Audience.ACTOR:
        return [o.event.actor.id]
    if audience == Audience.ASSIGNEE:
        return [o.request.assignee_id] if o.request.assignee_id is not None else []
    if audience == Audience.SUPERVISOR:
        return await supervisor_chats(session, config, department or "")
    if audience in (Audience.LEAD, Audience.HOLDER) and o.request.assignee_id is not None:
        return [o.request.assignee_id]
    if audience == Audience.ADDED_CO_HANDLER:
        return await department_chats(session, config, o.event.detail["department"])
    if audience == Audience.OFFICE or (audience in (Audience.HOLDERS, Audience.HOLDER)
                                       and department is None):
        return await office_chats(session)
    return await department_chats(session, config, department or "")


async def _media(session: AsyncSession, req: Request) -> Media:
    attachments = await queries.attachments_of(session, req.id)
    voices = [a.file_id for a in attachments if a.kind == "voice"]
    return Media(photos=tuple(a.file_id for a in attachments if a.kind == "photo"),
                 voice=voices[0] if voices else None, more_voices=tuple(voices[1:]))


def on_behalf(req: RequestView) -> str:
    """What starts a resident's notice that goes to the grid worker who filed it (代报):
    who it is for, the phone masked; nothing for a resident's own request."""
    if not req.proxy:
        return ""
    return texts.fmt(texts.ON_BEHALF, name=req.resident_name or "",
                     phone=render.mask_phone(req.phone or ""))


def _send_at(svc: Services, notice: Notice, o: Occasion) -> datetime:
    """Reminders wait for office hours (urgent ones excepted), residents for the morning."""
    if notice.timing == Timing.STAFF:
        return svc.calendar.staff_time(o.event.at, urgent=o.request.urgent)
    if notice.timing == Timing.RESIDENT:
        return svc.calendar.resident_time(o.event.at)
    return o.event.at


async def _recipients(session: AsyncSession, config: Config, audience: Audience,
                      o: Occasion, req: Request) -> list[tuple[int, bool | None]]:
    """Each chat with whether it reads Traditional (None: staff, as written)."""
    if audience == Audience.RESIDENT:
        return [(o.request.resident_id, o.request.traditional)]
    if audience == Audience.FOLLOWERS:
        return [(s.resident_id, s.traditional)
                for s in await queries.subscribers_of(session, req.id)]
    return [(chat, None) for chat in await _chats(session, config, audience, o)]


def _queue(session: AsyncSession, req: Request, chat_id: int, traditional: bool | None,
           notice: Notice, message: Message, o: Occasion, media: Media | None,
           at: datetime) -> None:
    text, buttons = message.text, message.buttons
    if notice.audience == Audience.RESIDENT:
        text = on_behalf(o.request) + text
    if traditional is not None:
        text = texts.localise(text, traditional)
        buttons = texts.localise_buttons(buttons, traditional)
    if message.photos:   # the photos first, then the text with its buttons
        queries.add_outbox(session, chat_id=chat_id, kind=f"{notice.kind}_media", at=at,
                           request_id=req.id, text=o.request.number,
                           photos=list(message.photos))
    queries.add_outbox(session, chat_id=chat_id, kind=notice.kind, at=at, text=text,
                       buttons=buttons_to_json(buttons), request_id=req.id,
                       keep_copy=notice.kind in CARD_KINDS)
    if message.voice:
        queries.add_outbox(session, chat_id=chat_id, kind=f"{notice.kind}_voice", at=at,
                           request_id=req.id, text=o.request.number, voice=message.voice)
    for piece in message.follow:   # a clipped description's full text, right after the card
        queries.add_outbox(session, chat_id=chat_id, kind="full_text", at=at, text=piece,
                           request_id=req.id)
    if media is not None and (media.photos or media.voice):
        queries.add_outbox(session, chat_id=chat_id, kind="task_media", at=at,
                           request_id=req.id, text=o.request.number,
                           photos=list(media.photos) or None, voice=media.voice)
    for voice in media.more_voices if media is not None else ():
        queries.add_outbox(session, chat_id=chat_id, kind="task_media", at=at,
                           request_id=req.id, text=o.request.number, voice=voice)
    if message.with_media and o.request.latitude is not None \
            and o.request.longitude is not None:
        queries.add_outbox(session, chat_id=chat_id, kind="task_location", at=at,
                           request_id=req.id,
                           location=[o.request.latitude, o.request.longitude])


async def _reschedule(svc: Services, session: AsyncSession, req: Request,
                      event: LedgerEvent) -> None:
    """A state change replaces the request's timers with those of its new state."""
    limits = svc.config.limits_for(req.category, urgent=req.urgent)
    timers = timers_for(req, limits, svc.calendar, at=event.at)
    await queries.replace_timers(session, req.id, [(k.value, due) for k, due in timers],
                                 event.at)


async def publish(svc: Services, uow: UnitOfWork) -> None:
    """For every event the unit recorded: the timers of a new state, the edits that bring
    the copies of a moved request's card to its current state (a new state, or an event of
    REFRESH_EVENTS; but not those in `uow.shown`, which the caller updates itself), and the
    outbox rows the policy names (the caller commits)."""
    session = uow.session
    await session.flush()
    moved: dict[int, tuple[Request, LedgerEvent]] = {}
    for req, _view, event in uow.pending:
        if event.from_status != event.to_status or event.context.get("reschedule"):
            await _reschedule(svc, session, req, event)
        if event.from_status is not None and (event.from_status != event.to_status
                                              or event.kind in REFRESH_EVENTS
                                              or event.context.get("reschedule")):
            moved[req.id] = (req, event)
    for req, event in moved.values():   # before this unit's own cards are queued
        await refresh_copies(session, svc.config, req, spare=uow.shown, at=event.at)
    for req, view, event in uow.pending:
        occasion = Occasion(event, view, svc.config)
        for notice, message in notices_for(occasion):
            media = await _media(session, req) if message.with_media else None
            at = _send_at(svc, notice, occasion)
            for chat_id, traditional in await _recipients(session, svc.config,
                                                          notice.audience, occasion, req):
                _queue(session, req, chat_id, traditional, notice, message, occasion, media,
                       at)
