"""The resident's report conversation: a state machine over a draft kept in the database.

Each update loads the draft, takes one step and saves it in one transaction, so a restart
(or another instance) continues exactly where the resident was.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain import access, transitions
from bot.domain.errors import WrongState
from bot.domain.model import Role
from bot.domain.rules import Actor, files_for_others
from bot.limits import MESSAGE_TEXT, clip_utf16, utf16_len
from bot.notify import callbacks, texts
from bot.notify.replies import Keyboard, Outcome, Say
from bot.routing import is_traditional
from bot.services import access as residents_access
from bot.services import dupes
from bot.services.core import Services
from bot.services.incoming import Incoming, Kind
from bot.services.ledger import actor_of, deadlines, record
from storage import queries
from storage.models import Attachment, Conversation, Request
from storage.uow import UnitOfWork

FLOW = "report"
DESCRIPTION, PHOTOS, ADDRESS = "description", "photos", "address"
PHONE, CONFIRM = "phone", "confirm"
PROXY_PHONE, PROXY_NAME = "proxy_phone", "proxy_name"   # 代报: the resident's number, name
SIMILAR = "similar"   # after the address: the same problem is open nearby, join it (+1)?
ORDER = (DESCRIPTION, PHOTOS, ADDRESS, PHONE, CONFIRM)
PROXY_ORDER = (PROXY_PHONE, PROXY_NAME, DESCRIPTION, PHOTOS, ADDRESS, CONFIRM)
DESCRIPTION_CHARS = (4, 4 * MESSAGE_TEXT)   # kept whole; cards clip it (bot.notify.render)
JOIN_FROM = MESSAGE_TEXT // 2   # a piece this long (UTF-16) may be the start of a split paste
PASTE_WINDOW = timedelta(seconds=3)   # clients send a split paste's pieces within a moment
ADDRESS_CHARS = (3, 200)
MAX_PHOTOS = 9
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")

Data = dict[str, Any]
Step = tuple[str | None, list[Say]]   # (next step or None to stay, replies)


def _next(step: str, data: Data) -> str:
    order = PROXY_ORDER if data.get("proxy") else ORDER
    return CONFIRM if data.get("editing") else order[order.index(step) + 1]


def _traditional(data: Data, text: str) -> bool:
    """Traditional when the resident reads it (their Telegram language, or seen before) or
    writes it now."""
    return bool(data.get("prefers")) or is_traditional(text)


def _length_problem(text: str, bounds: tuple[int, int], short: str, long: str) -> Say | None:
    """Bounds in UTF-16 units, as Telegram counts (bot/limits.py)."""
    if utf16_len(text) < bounds[0]:
        return Say(short)
    if utf16_len(text) > bounds[1]:
        return Say(long, {"limit": bounds[1]})
    return None


@dataclass(frozen=True)
class Turn:
    """The replies to one report message, and when to look again if a long description may
    still be continuing (a split paste): then `settle` moves on to the next step."""

    replies: list[Say]
    settle_in: timedelta | None = None


def _pieces_text(data: Data) -> str:
    return "".join(text for _id, text in data["pieces"])


def _held(data: Data, inp: Incoming, now: datetime) -> Step:
    """A long text description: kept, and the next step waits in case more of it follows.

    Telegram clients split a paste longer than 4096 UTF-16 units into messages sent within a
    moment; they are one description, not a description and a stray answer to the next step.
    """
    problem = _length_problem(inp.plain, DESCRIPTION_CHARS, texts.DESCRIPTION_TOO_SHORT,
                              texts.DESCRIPTION_TOO_LONG)
    if problem:
        return None, [problem]
    data.update(pieces=[[inp.message_id, inp.text or ""]], voice=None,
                settles_at=(now + PASTE_WINDOW).isoformat())
    data.update(description=_pieces_text(data).strip(),
                traditional=_traditional(data, inp.plain))
    return None, []


def _joined(data: Data, inp: Incoming, now: datetime) -> Step:
    """The next piece of a split paste, appended to the description (kept whole)."""
    total = utf16_len(data["description"]) + utf16_len(inp.text or "")
    if total > DESCRIPTION_CHARS[1]:
        return None, [Say(texts.DESCRIPTION_TOO_LONG, {"limit": DESCRIPTION_CHARS[1]})]
    data["pieces"].append([inp.message_id, inp.text or ""])
    data.update(description=_pieces_text(data).strip(),
                settles_at=(now + PASTE_WINDOW).isoformat())
    return None, []


def settled(data: Data, now: datetime) -> bool:
    """True when no piece of a description is awaited (any longer)."""
    due = data.get("settles_at")
    return due is None or datetime.fromisoformat(due) <= now


def _settle(data: Data) -> str:
    """The description is complete: the step after it."""
    data.pop("settles_at", None)
    return _next(DESCRIPTION, data)


def _description(data: Data, inp: Incoming, now: datetime | None = None) -> Step:
    if now is not None and inp.kind == Kind.TEXT and utf16_len(inp.plain) >= JOIN_FROM:
        return _held(data, inp, now)
    if inp.kind == Kind.VOICE:
        data.update(description=texts.VOICE_DESCRIPTION, voice=inp.file_id)
        return _next(DESCRIPTION, data), []
    if inp.kind == Kind.PHOTO:
        data.setdefault("photos", []).append(inp.file_id)
        if not inp.plain:
            return None, [Say(texts.PHOTO_NEEDS_TEXT)]
    elif inp.kind != Kind.TEXT:
        return None, [Say(texts.DESCRIPTION_WRONG_INPUT)]
    problem = _length_problem(inp.plain, DESCRIPTION_CHARS, texts.DESCRIPTION_TOO_SHORT,
                              texts.DESCRIPTION_TOO_LONG)
    if problem:
        return None, [problem]
    data.update(description=inp.plain, voice=None, traditional=_traditional(data, inp.plain),
                pieces=[[inp.message_id, inp.text or ""]] if inp.kind == Kind.TEXT else None)
    return _next(DESCRIPTION, data), []


def _photos(data: Data, inp: Incoming) -> Step:
    if inp.kind == Kind.TEXT and (texts.is_label(inp.plain, texts.BTN_DONE)
                                  or texts.is_label(inp.plain, texts.BTN_SKIP)):
        return _next(PHOTOS, data), []
    if inp.kind != Kind.PHOTO:
        return None, [Say(texts.PHOTOS_WRONG_INPUT)]
    photos = data.setdefault("photos", [])
    if len(photos) >= MAX_PHOTOS:
        return None, [Say(texts.PHOTOS_FULL, {"limit": MAX_PHOTOS})]
    photos.append(inp.file_id)
    if inp.media_group and inp.media_group == data.get("album"):
        return None, []   # one answer per album, not one per photo
    data["album"] = inp.media_group
    return None, [Say(texts.PHOTO_ADDED, {"count": len(photos)})]


def _address(data: Data, inp: Incoming) -> Step:
    if inp.kind == Kind.LOCATION:
        data.update(latitude=inp.latitude, longitude=inp.longitude, address=None,
                    no_place=False)
        return _next(ADDRESS, data), []
    if inp.kind == Kind.VOICE:   # said, not typed: the voice goes with the request
        data.update(address=texts.ADDRESS_IN_VOICE, address_voice=inp.file_id,
                    latitude=None, longitude=None, no_place=False)
        return _next(ADDRESS, data), []
    if inp.kind != Kind.TEXT or inp.plain == texts.BTN_LOCATION:
        return None, [Say(texts.ADDRESS_WRONG_INPUT)]
    if inp.plain in texts.NO_PLACE_WORDS:   # 医保报销、低保材料: many requests have no place
        data.update(address=None, latitude=None, longitude=None, no_place=True)
        return _next(ADDRESS, data), []
    problem = _length_problem(inp.plain, ADDRESS_CHARS, texts.ADDRESS_TOO_SHORT,
                              texts.ADDRESS_TOO_LONG)
    if problem:
        return None, [problem]
    data.update(address=inp.plain, latitude=None, longitude=None, no_place=False)
    return _next(ADDRESS, data), []


def normal_phone(text: str) -> str | None:
    digits = re.sub(r"[\s()（）]", "", text).removeprefix("+86").removeprefix("0086")
    return digits if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits) else None


def _phone(data: Data, inp: Incoming, user_id: int) -> Step:
    if inp.kind == Kind.TEXT and texts.is_label(inp.plain, texts.BTN_SKIP):
        data["phone"] = None
        return _next(PHONE, data), []
    if inp.kind == Kind.CONTACT:
        if inp.contact_user_id != user_id:
            return None, [Say(texts.PHONE_NOT_OWN)]
        data["phone"] = normal_phone(inp.phone or "") or (inp.phone or "").lstrip("+")
        data["own_phone"] = True   # Telegram vouches it is theirs
        return _next(PHONE, data), []
    phone = normal_phone(inp.plain) if inp.kind == Kind.TEXT else None
    if phone is None:
        return None, [Say(texts.PHONE_INVALID)]
    data.update(phone=phone, own_phone=False)
    return _next(PHONE, data), []


def _proxy_phone(data: Data, inp: Incoming) -> Step:
    """代报: the resident's mobile number, their contact on the request."""
    phone = access.mobile_number(inp.plain) if inp.kind == Kind.TEXT else None
    if phone is None and inp.kind == Kind.CONTACT:   # a contact card the worker shared
        phone = access.mobile_number(inp.phone or "")
    if phone is None:
        return None, [Say(texts.PROXY_PHONE_INVALID)]
    data["phone"] = phone
    return _next(PROXY_PHONE, data), []


def _proxy_name(data: Data, inp: Incoming) -> Step:
    """代报: what to call the resident (their name, or 张阿姨)."""
    low, high = access.NAME_CHARS
    if inp.kind != Kind.TEXT or not low <= len(inp.plain) <= high:
        return None, [Say(texts.PROXY_NAME_INVALID, {"limit": high})]
    data["name"] = inp.plain
    return _next(PROXY_NAME, data), []


def _confirm(data: Data, inp: Incoming) -> Step:
    return None, [Say(texts.CONFIRM_WAITING)]


def _similar(data: Data, inp: Incoming) -> Step:
    return None, [Say(texts.SIMILAR_WAITING)]


def _where(data: Data) -> str:
    if data.get("no_place"):
        return texts.BTN_NO_PLACE
    if data.get("latitude") is not None:
        return texts.LOCATION_ADDRESS.format(latitude=data["latitude"],
                                             longitude=data["longitude"])
    return data.get("address") or texts.NOT_GIVEN


SUMMARY_DESCRIPTION = 2000   # UTF-16 units: the summary stays within Telegram's 4096


def _shown_description(text: str) -> str | Say:
    """The description as the summary shows it: whole, or its beginning and its length."""
    if utf16_len(text) <= SUMMARY_DESCRIPTION:
        return text
    return Say(texts.DESCRIPTION_KEPT, {"start": clip_utf16(text, SUMMARY_DESCRIPTION),
                                        "count": len(text)})


def summary(data: Data, heading: str = "") -> Say:
    """The draft as the resident confirms it, with 确认提交 / 修改 / 取消; `heading` (a
    catalogue text) opens it when the confirm step is reached."""
    photos = data.get("photos") or []
    who = Say(texts.PROXY_WHO, {"name": data.get("name", ""), "phone": data.get("phone", "")})
    return Say(texts.SUMMARY, {
        "heading": heading, "who": who if data.get("proxy") else "",
        "description": _shown_description(data.get("description", "")),
        "photos": Say(texts.PHOTO_COUNT, {"count": len(photos)}) if photos else texts.NO_PHOTOS,
        "address": _where(data), "phone": data.get("phone") or texts.NO_PHONE,
    }, buttons=(((texts.BTN_CONFIRM, callbacks.encode(callbacks.DRAFT, "ok")),),
                ((texts.BTN_EDIT, callbacks.encode(callbacks.DRAFT, "edit")),
                 (texts.BTN_CANCEL, callbacks.encode(callbacks.DRAFT, "cancel")))))


def prompt(step: str, data: Data) -> list[Say]:
    """What the resident is asked on entering `step`."""
    if step == DESCRIPTION:
        return [Say(texts.ASK_DESCRIPTION, keyboard=Keyboard.REMOVE)]
    if step == PHOTOS:
        return [Say(texts.ASK_PHOTOS, {"limit": MAX_PHOTOS}, keyboard=Keyboard.PHOTOS)]
    if step == ADDRESS:
        return [Say(texts.ASK_ADDRESS, keyboard=Keyboard.LOCATION)]
    if step == PHONE:
        return [Say(texts.ASK_PHONE, keyboard=Keyboard.CONTACT)]
    if step == PROXY_PHONE:
        return [Say(texts.ASK_PROXY_PHONE, keyboard=Keyboard.REMOVE)]
    if step == PROXY_NAME:
        return [Say(texts.ASK_PROXY_NAME)]
    # One message: the summary's inline buttons cannot also take the phone step's reply
    # keyboard away (one-time, hidden once pressed); the message after the summary does.
    return [summary(data, texts.REVIEW_NEXT)]


def _localised(says: list[Say], data: Data) -> list[Say]:
    traditional = bool(data.get("traditional"))
    return [dataclasses.replace(s, traditional=traditional) for s in says]


def _save(uow: UnitOfWork, conv: Conversation | None, user_id: int, step: str,
          data: Data, now: datetime) -> None:
    queries.save_conversation(uow.session, conv, user_id=user_id, flow=FLOW, step=step,
                              data=data, now=now)


async def start(svc: Services, *, user_id: int, first: Incoming | None = None,
                language: str | None = None) -> list[Say]:
    """Begin a new report (dropping any unfinished one); `first` is a message that began it,
    `language` the resident's Telegram language_code (zh-TW etc.: Traditional from here)."""
    return (await begin(svc, user_id=user_id, first=first, language=language)).replies


async def start_proxy(svc: Services, *, user_id: int) -> list[Say]:
    """/proxy: a grid worker (网格员) begins a report for a resident, asked first for the
    resident's mobile number and name; anyone else is told it is for grid workers."""
    async with svc.uow() as uow:
        if not files_for_others(await actor_of(uow.session, user_id)):
            return [Say(texts.ONLY_GRID)]
        conv = await queries.conversation_of(uow.session, user_id)
        data: Data = {"proxy": True}
        _save(uow, conv, user_id, PROXY_PHONE, data, svc.now())
        await uow.commit()
    return prompt(PROXY_PHONE, data)


async def begin(svc: Services, *, user_id: int, first: Incoming | None = None,
                language: str | None = None) -> Turn:
    """`start`, saying when to `settle` a long first message that may continue; refused
    (texts.DAILY_LIMIT) once the resident filed `residents.daily_reports` today."""
    language = language or (first.language if first is not None else None)
    async with svc.uow() as uow:
        prefers = await residents_access.prefers_traditional(uow, user_id, language)
        if await residents_access.at_daily_limit(uow, svc, user_id):
            limit = svc.config.residents.daily_reports
            return Turn([Say(texts.DAILY_LIMIT, {"limit": limit}, keyboard=Keyboard.REMOVE,
                             traditional=prefers)])
        conv = await queries.conversation_of(uow.session, user_id)
        data: Data = {"prefers": True, "traditional": True} if prefers else {}
        step, says = DESCRIPTION, prompt(DESCRIPTION, data)
        if first is not None:
            moved, says = _description(data, first, svc.now())
            step = moved or DESCRIPTION
            says = says + prompt(moved, data) if moved else says
        _save(uow, conv, user_id, step, data, svc.now())
        await uow.commit()
    return Turn(_localised(says, data), _waiting(data))


def _waiting(data: Data) -> timedelta | None:
    return PASTE_WINDOW if data.get("settles_at") else None


_STEPS: dict[str, Callable[[Data, Incoming], Step]] = {
    PHOTOS: _photos, ADDRESS: _address, CONFIRM: _confirm, SIMILAR: _similar,
    PROXY_PHONE: _proxy_phone, PROXY_NAME: _proxy_name,
}


def _one_step(step: str, data: Data, inp: Incoming, user_id: int, now: datetime) -> Step:
    if step == PHONE:
        return _phone(data, inp, user_id)
    if step == DESCRIPTION:
        return _description(data, inp, now)
    return _STEPS[step](data, inp)


def _step_held(step: str, data: Data, inp: Incoming, user_id: int, now: datetime) -> Step:
    """A step while a long description may continue: the next piece joins it; anything else
    (or anything after the window) first completes the description, then is taken as usual."""
    if not settled(data, now) and inp.kind == Kind.TEXT:
        return _joined(data, inp, now)
    step = _settle(data)
    moved, says = _one_step(step, data, inp, user_id, now)
    return moved or step, prompt(step, data) + says + (prompt(moved, data) if moved else [])


async def take_step(uow: UnitOfWork, svc: Services, conv: Conversation,
                    inp: Incoming) -> Turn:
    """One message in the middle of a report (the caller commits)."""
    data = copy.deepcopy(conv.data)   # a fresh value, so the JSON column sees the change
    now = svc.now()
    if conv.step == DESCRIPTION and data.get("settles_at"):
        moved, says = _step_held(conv.step, data, inp, conv.user_id, now)
    else:
        moved, says = _one_step(conv.step, data, inp, conv.user_id, now)
        says = says + prompt(moved, data) if moved else says
    if conv.step == ADDRESS and moved is not None and not data.get("proxy"):
        # a grid worker files for someone else: joining would subscribe the worker, not them
        moved, says = await _offer_similar(uow, svc, conv.user_id, data, moved, says)
    if moved == CONFIRM:
        data.pop("editing", None)
    _save(uow, conv, conv.user_id, moved or conv.step, data, now)
    return Turn(_localised(says, data), _waiting(data))


async def _offer_similar(uow: UnitOfWork, svc: Services, user_id: int, data: Data,
                         moved: str, says: list[Say]) -> tuple[str, list[Say]]:
    """After the address: the same problem open at the same place is offered to join (+1)
    before the report goes on (to `moved`)."""
    found = await dupes.similar_request(uow, svc, user_id=user_id, data=data)
    if found is None:
        return moved, says
    data.update(similar=found.number, after_similar=moved)
    return SIMILAR, [dupes.offer(svc, found, traditional=bool(data.get("traditional")))]


async def answer_similar(svc: Services, *, user_id: int, choice: str) -> Outcome:
    """The resident's answer to the +1 offer: `join` subscribes them to the request found
    (the draft ends), `new` goes on with the report; a request answered meanwhile cannot be
    joined, and the report goes on."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is None or conv.flow != FLOW or conv.step != SIMILAR:
            return Outcome(notice=texts.DRAFT_GONE, buttons=())
        data = copy.deepcopy(conv.data)
        says: list[Say] = []
        if choice == "join":
            try:
                joined = await dupes.join(uow, svc, user_id=user_id, number=data["similar"],
                                          data=data)
            except WrongState:
                says = [Say(texts.SIMILAR_GONE)]
            else:
                await uow.session.delete(conv)
                await uow.commit()
                return Outcome(buttons=(), replies=(joined,))
        data.setdefault("declined", []).append(data.pop("similar"))
        step = data.pop("after_similar")
        if step == CONFIRM:
            data.pop("editing", None)
        _save(uow, conv, user_id, step, data, svc.now())
        await uow.commit()
    return Outcome(buttons=(), replies=tuple(_localised(says + prompt(step, data), data)))


async def settle(svc: Services, *, user_id: int) -> list[Say]:
    """After the paste window: a long description that got no further piece is complete and
    the report moves on (nothing if it already did, or a later piece restarted the wait).

    The draft is in the database, so after a restart the resident's next message settles it.
    """
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is None or conv.flow != FLOW or conv.step != DESCRIPTION:
            return []
        data = copy.deepcopy(conv.data)
        if not data.get("settles_at") or not settled(data, svc.now()):
            return []
        step = _settle(data)
        if step == CONFIRM:
            data.pop("editing", None)
        _save(uow, conv, user_id, step, data, svc.now())
        await uow.commit()
    return _localised(prompt(step, data), data)


def _routing_record(decision: Any) -> dict[str, Any]:
    return {
        "matched": list(decision.matched_words),
        "candidates": [{"category": c.category, "score": round(c.score, 3),
                        "department": c.department} for c in decision.candidates],
        "urgent_words": list(decision.urgent_words),
        "confident": decision.confident,
    }


def _voice_only(data: Data) -> bool:
    """A description given only by voice: nothing for the router to read."""
    return bool(data.get("voice")) and data.get("description") == texts.VOICE_DESCRIPTION


async def submit(uow: UnitOfWork, svc: Services, *, resident_id: int,
                 resident_name: str | None, data: Data) -> Request:
    """The finished draft as a new request, routed when the router is confident, else to
    triage (the caller commits). A voice-only description goes to triage (nobody has read
    it yet); a blocked resident's report goes to triage flagged with the block's reason;
    a grid worker's 代报 (`data["proxy"]`) names the resident and their phone, the worker
    being its channel (`resident_id`)."""
    session, now = uow.session, svc.now()
    proxy = bool(data.get("proxy"))
    if proxy:
        resident_name = data.get("name")
    latitude, longitude = data.get("latitude"), data.get("longitude")
    location = (latitude, longitude) if latitude is not None else None
    decision = await asyncio.to_thread(   # CPU work (jieba, the model) off the event loop
        svc.router.classify, data["description"], address=data.get("address"),
        location=location)
    day = f"{now.astimezone(svc.config.tz):%Y%m%d}"   # numbers are YYYYMMDD-NNNN, local day
    req = Request(
        number=f"{day}-{await queries.next_sequence(session, day):04d}",
        resident_id=resident_id, resident_name=resident_name, phone=data.get("phone"),
        description=data["description"], address=data.get("address"), latitude=latitude,
        longitude=longitude, traditional=bool(data.get("traditional")) or decision.traditional,
        proxy=proxy, flag=await residents_access.block_reason(uow, resident_id),
        status="", category=decision.category, area=decision.area, urgent=decision.urgent,
        routing=_routing_record(decision), reopen_count=0, escalation_level=0, created_at=now,
    )
    session.add(req)
    await session.flush()
    attached = [("photo", p) for p in data.get("photos") or ()]
    attached += [("voice", data[key]) for key in ("voice", "address_voice") if data.get(key)]
    for kind, file_id in attached:
        session.add(Attachment(request_id=req.id, kind=kind, file_id=file_id,
                               added_by=resident_id, created_at=now))
    resident = Actor(resident_id, Role.GRID if proxy else Role.RESIDENT, None, resident_name or "")
    confident = decision.confident and not _voice_only(data)
    event = transitions.submit(req, resident, at=now, deadlines=deadlines(svc, req),
                               department=decision.department if confident else None,
                               flag=req.flag)
    await record(uow, req, event)
    if req.traditional and not proxy:
        await residents_access.remember_traditional(uow, svc, resident_id)
    if data.get("own_phone") and req.phone and not proxy:
        await residents_access.remember_phone(uow, svc, resident_id, req.phone)
    return req


async def press(svc: Services, *, user_id: int, user_name: str | None,
                choice: str) -> Outcome:
    """A button on the summary: confirm, edit (then a field) or cancel."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is None or conv.flow != FLOW or conv.step != CONFIRM:
            return Outcome(notice=texts.DRAFT_GONE, buttons=())
        data = copy.deepcopy(conv.data)
        outcome = await _choose(uow, svc, conv, data, user_name, choice)
        await uow.commit()
    return outcome


async def _choose(uow: UnitOfWork, svc: Services, conv: Conversation, data: Data,
                  user_name: str | None, choice: str) -> Outcome:
    if choice == "ok":
        req = await submit(uow, svc, resident_id=conv.user_id, resident_name=user_name,
                           data=data)
        await uow.session.delete(conv)
        department = svc.config.department(req.department) if req.department else None
        routing = (Say(texts.SUBMITTED_ROUTED, {"department": department.name})
                   if department else Say(texts.SUBMITTED_TRIAGE))
        done = Say(texts.SUBMITTED, {"number": req.number, "routing": routing},
                   keyboard=Keyboard.REMOVE)
        return Outcome(buttons=(), replies=tuple(_localised([done], data)))
    if choice == "cancel":
        await uow.session.delete(conv)
        cancelled = Say(texts.CANCELLED, keyboard=Keyboard.REMOVE)
        return Outcome(buttons=(), replies=tuple(_localised([cancelled], data)))
    if choice == "edit":
        fields = tuple(((texts.FIELD_LABELS[f], callbacks.encode(callbacks.DRAFT, f)),)
                       for f in (DESCRIPTION, PHOTOS, ADDRESS, PHONE))
        return Outcome(buttons=texts.localise_buttons(fields, bool(data.get("traditional"))))
    if choice == PHOTOS:
        data["photos"] = []   # re-taking photos replaces them
    if choice == PHONE and data.get("proxy"):
        choice = PROXY_PHONE   # the resident's number, not the worker's
    data["editing"] = True
    _save(uow, conv, conv.user_id, choice, data, svc.now())
    return Outcome(buttons=(), replies=tuple(_localised(prompt(choice, data), data)))


def _edited_piece(data: Data, message_id: int | None) -> int | None:
    """Which piece of the draft's description the edited message was, if any."""
    for index, (piece_id, _text) in enumerate(data.get("pieces") or ()):
        if message_id is not None and piece_id == message_id:
            return index
    return None


async def apply_edit(uow: UnitOfWork, svc: Services, conv: Conversation,
                     inp: Incoming) -> list[Say] | None:
    """An edit of a message that gave the draft's description replaces it (the caller
    commits); None if the edited message was not the description.

    Telegram sends an edit as `edited_message` with the same message id: residents fix a
    typo in place and expect the fix to count.
    """
    data = copy.deepcopy(conv.data)
    index = _edited_piece(data, inp.message_id)
    if conv.flow != FLOW or index is None or inp.kind != Kind.TEXT:
        return None
    data["pieces"][index][1] = inp.text or ""
    text = _pieces_text(data).strip()
    problem = _length_problem(text, DESCRIPTION_CHARS, texts.DESCRIPTION_TOO_SHORT,
                              texts.DESCRIPTION_TOO_LONG)
    if problem:
        return _localised([problem], data)
    data.update(description=text, traditional=_traditional(data, text))
    _save(uow, conv, conv.user_id, conv.step, data, svc.now())
    shown = [summary(data)] if conv.step == CONFIRM else []
    return _localised([Say(texts.EDIT_APPLIED), *shown], data)
