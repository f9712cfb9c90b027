"""Notifications to people other than the one being answered: rows in the outbox.

They are added to the caller's session, so they commit (or vanish) with the change
that causes them; bot.outbox delivers them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import render, texts
from bot.config import Config
from bot.domain.model import Role, Status
from bot.replies import Buttons, buttons_to_json
from storage import queries
from storage.models import Attachment, OutboxMessage, Request
from storage.uow import OUTBOX_QUEUED


def queue(session: AsyncSession, *, chat_id: int, kind: str, at: datetime,
          text: str | None = None, buttons: Buttons = (), request: Request | None = None,
          photos: list[str] | None = None, voice: str | None = None,
          location: list[float] | None = None, dedupe_key: str | None = None) -> None:
    session.add(OutboxMessage(
        chat_id=chat_id, kind=kind, text=text, buttons=buttons_to_json(buttons) or None,
        request_id=request.id if request else None, photos=photos, voice=voice,
        location=location,
        dedupe_key=dedupe_key, status="pending", attempts=0, not_before=at, created_at=at,
    ))
    session.info[OUTBOX_QUEUED] = True


async def department_chats(session: AsyncSession, config: Config, department: str) -> list[int]:
    """Every active assignee of the department, then its group chat if configured."""
    chats = [s.telegram_id for s in await queries.active_staff(
        session, role=Role.ASSIGNEE, department=department)]
    unit = config.department(department)
    if unit is not None and unit.chat_id is not None:
        chats.append(unit.chat_id)
    return chats


async def office_chats(session: AsyncSession) -> list[int]:
    return [s.telegram_id for s in await queries.active_staff(session, role=Role.DISPATCHER)]


def _media(attachments: list[Attachment]) -> tuple[list[str], str | None]:
    photos = [a.file_id for a in attachments if a.kind == "photo"]
    voice = next((a.file_id for a in attachments if a.kind == "voice"), None)
    return photos, voice


async def task_cards(session: AsyncSession, config: Config, req: Request, *, at: datetime,
                     reason: str | None = None) -> None:
    """A card with 接单/退单 (and the photos, voice) for everyone who may take the task."""
    title = texts.TITLE_REOPENED if reason else texts.TITLE_NEW_TASK
    card = render.task_card(config, req, title=title, reason=reason)
    photos, voice = _media(list(await queries.attachments_of(session, req.id)))
    for chat_id in await department_chats(session, config, req.department or ""):
        queue(session, chat_id=chat_id, kind="task_card", at=at, text=card, request=req,
              buttons=render.task_buttons(req.number, Status.DISPATCHED))
        if photos or voice:
            queue(session, chat_id=chat_id, kind="task_media", at=at, request=req,
                  text=req.number, photos=photos or None, voice=voice)
        if req.latitude is not None and req.longitude is not None:
            queue(session, chat_id=chat_id, kind="task_location", at=at, request=req,
                  location=[req.latitude, req.longitude])


async def triage_cards(session: AsyncSession, config: Config, req: Request, *, at: datetime,
                       returned: tuple[str, str] | None = None) -> None:
    card = render.triage_card(config, req, returned=returned)
    for chat_id in await office_chats(session):
        queue(session, chat_id=chat_id, kind="triage_card", at=at, text=card, request=req,
              buttons=render.triage_buttons(config, req))


async def to_office(session: AsyncSession, req: Request, *, at: datetime, kind: str,
                    text: str) -> None:
    for chat_id in await office_chats(session):
        queue(session, chat_id=chat_id, kind=kind, at=at, request=req, text=text)


def to_resident(session: AsyncSession, req: Request, text: str, *, kind: str, at: datetime,
                buttons: Buttons = ()) -> None:
    queue(session, chat_id=req.resident_id, kind=kind, at=at, request=req,
          text=texts.localise(text, req.traditional),
          buttons=texts.localise_buttons(buttons, req.traditional))


async def withdrawn(session: AsyncSession, config: Config, req: Request, *,
                    at: datetime) -> None:
    """Whoever holds a card for the request hears it is withdrawn (and the office if urgent)."""
    chats = (await department_chats(session, config, req.department) if req.department
             else await office_chats(session))
    if req.urgent and req.department:
        chats += await office_chats(session)
    text = texts.fmt(texts.WITHDRAWN_NOTICE, number=req.number)
    for chat_id in chats:
        queue(session, chat_id=chat_id, kind="withdrawn", at=at, text=text, request=req)
