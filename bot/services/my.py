"""/my: the resident's requests a page at a time, one request's detail, and what the
resident can do from it now: 补充材料, 撤回 (confirmed), 催办 (once a day), 评价."""

from __future__ import annotations

import dataclasses

from bot.domain import residents
from bot.domain.errors import UnknownRequest
from bot.domain.model import Role
from bot.domain.rules import Actor, allowed_actions
from bot.domain.views import Card, HistoryItem, Page
from bot.notify import texts
from bot.notify.replies import Keyboard, Say
from bot.services import access
from bot.services.core import Services
from bot.services.incoming import Incoming, Kind
from bot.services.ledger import load, record, view_of
from storage import queries
from storage.models import Attachment, Conversation, Request, RequestSubscriber
from storage.uow import UnitOfWork

PAGE_SIZE = 5          # a phone screen's worth of requests
FLOW = "add_info"      # the conversation that waits for the added information
ACTIONS = ("add_info", "withdraw", "urge", "rate")   # the detail's buttons, in order


async def my_page(svc: Services, *, resident_id: int, page: int = 0,
                  language_code: str | None = None) -> Page:
    """One page (0-based, clamped) of the resident's requests, newest first, with those a
    grid worker filed for the phone they shared as their own (to read); `traditional` when
    the resident reads Traditional (`language_code`: their Telegram language, or seen
    writing it)."""
    async with svc.uow() as uow:
        mine = queries.requests_of(resident_id, await access.own_phone(uow, resident_id))
        rows, total, page, pages = await queries.page_of(uow.session, mine, page=page,
                                                         size=PAGE_SIZE)
        # joined (+1): to follow, not to act on (a grid worker's 代报 keeps its own rule)
        followed = frozenset(r.number for r in rows
                             if r.resident_id != resident_id and not r.proxy)
        traditional = await access.prefers_traditional(uow, resident_id, language_code)
        shown = Page("my", tuple(view_of(r) for r in rows), page, pages, total,
                     page * PAGE_SIZE + 1, followed, traditional)
        await uow.commit()   # writes only the update being answered (bot.services.updates)
    return shown


async def _readable(uow: UnitOfWork, actor_id: int,
                    number: str) -> tuple[Request, RequestSubscriber | None]:
    """The request `number` if the resident may read it, and their +1 if they joined it:
    their own, one they joined, or one a grid worker filed for their own phone (another's is
    as unknown as a missing one: UnknownRequest)."""
    req = await queries.request_by_number(uow.session, number)
    if req is None:
        raise UnknownRequest(number)
    if req.resident_id == actor_id:
        return req, None
    joined = await queries.subscription(uow.session, req.id, actor_id)
    if joined is not None:
        return req, joined
    if req.proxy and req.phone and req.phone == await access.own_phone(uow, actor_id):
        return req, None   # to read: the grid worker acts on it (bot.domain.rules: _owner)
    raise UnknownRequest(number)


async def detail(svc: Services, *, actor_id: int, number: str) -> Card:
    """One request as its resident sees it: its ledger in plain words and the actions that
    apply now; a request they joined (+1) shows without actions (those are the reporter's),
    in the joiner's own script. Raises UnknownRequest for one neither theirs nor joined."""
    async with svc.uow() as uow:
        req, joined = await _readable(uow, actor_id, number)
        events = await queries.history(uow.session, req.id)
        actor = Actor(actor_id, Role.RESIDENT, None, "")
        view = view_of(req) if joined is None else dataclasses.replace(
            view_of(req), traditional=joined.traditional)   # in the joiner's own script
        return Card(view, allowed_actions(actor, req, ACTIONS), True,
                    tuple(HistoryItem(e.at, e.kind, e.actor_role, {}) for e in events),
                    followed=joined is not None)


async def ask_more(svc: Services, *, user_id: int, number: str) -> Say:
    """补充材料: the next text, photo or voice message is added to the request."""
    async with svc.uow() as uow:
        req, _actor = await load(uow, "add_info", actor_id=user_id, number=number)
        conv = await queries.conversation_of(uow.session, user_id)
        queries.save_conversation(uow.session, conv, user_id=user_id, flow=FLOW, step="text",
                                  data={"number": number}, now=svc.now())
        await uow.commit()
    return Say(texts.ASK_ADD_INFO, {"number": number}, keyboard=Keyboard.REMOVE,
               traditional=req.traditional)


def continues(conv: Conversation, inp: Incoming) -> bool:
    """After an album's first photo was added, only the album's other photos still belong
    to 补充材料 (Telegram sends an album as one message per photo); anything else is new."""
    album = conv.data.get("album")
    return album is None or inp.media_group == album


async def add_more(uow: UnitOfWork, svc: Services, conv: Conversation,
                   inp: Incoming) -> Say | None:
    """The message after 补充材料, inside the caller's unit: logged in the ledger (photos
    and voice also as attachments) and forwarded to whoever holds the request. The
    question stays for a message that is neither text, photo nor voice, and for the rest
    of an album (answered once: None for its later photos)."""
    if inp.kind not in (Kind.TEXT, Kind.PHOTO, Kind.VOICE) or \
            (inp.kind == Kind.TEXT and not inp.plain):
        return Say(texts.ADD_INFO_WRONG_INPUT)
    number, now = conv.data["number"], svc.now()
    req, actor = await load(uow, "add_info", actor_id=conv.user_id, number=number)
    photos = (inp.file_id,) if inp.kind == Kind.PHOTO and inp.file_id else ()
    voice = inp.file_id if inp.kind == Kind.VOICE else None
    for kind, file_id in [("photo", p) for p in photos] + ([("voice", voice)] if voice else []):
        uow.session.add(Attachment(request_id=req.id, kind=kind, file_id=file_id,
                                   added_by=conv.user_id, created_at=now))
    await record(uow, req, residents.add_information(req, actor, text=inp.plain or None,
                                                     photos=photos, voice=voice, at=now))
    if conv.data.get("album"):
        return None
    if inp.media_group:   # more photos of this album follow, each its own message
        queries.save_conversation(uow.session, conv, user_id=conv.user_id, flow=FLOW,
                                  step="text", data={**conv.data, "album": inp.media_group},
                                  now=now)
    else:
        await uow.session.delete(conv)
    return Say(texts.ADD_INFO_THANKS, {"number": number}, traditional=req.traditional)


async def urge(svc: Services, *, actor_id: int, number: str) -> Say:
    """催办. Raises TooSoon within a day of the last one, WrongState once it is answered."""
    async with svc.uow() as uow:
        req, actor = await load(uow, "urge", actor_id=actor_id, number=number)
        await record(uow, req, residents.urge(req, actor, at=svc.now()))
        await uow.commit()
    return Say(texts.URGED, {"number": number}, traditional=req.traditional)


async def check_withdraw(svc: Services, *, actor_id: int, number: str) -> Say:
    """撤回, first press: the question, with 确认撤回 / 不撤回 (nothing changes yet)."""
    async with svc.uow() as uow:
        req, _actor = await load(uow, "withdraw", actor_id=actor_id, number=number)
        return Say(texts.CONFIRM_WITHDRAW, {"number": number}, traditional=req.traditional)


async def survey_again(svc: Services, *, actor_id: int, number: str) -> Say:
    """评价: the survey's question again, for an answered request."""
    async with svc.uow() as uow:
        req, _actor = await load(uow, "rate", actor_id=actor_id, number=number)
        return Say(texts.SURVEY_AGAIN, {"number": number}, traditional=req.traditional)
