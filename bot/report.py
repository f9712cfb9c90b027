"""The resident's report conversation: a state machine over a draft kept in the database.

Each update loads the draft, takes one step and saves it in one transaction, so a restart
(or another instance) continues exactly where the resident was.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot import callbacks, lifecycle, render, texts
from bot.incoming import Incoming, Kind
from bot.replies import Keyboard, Outcome, Reply
from bot.routing import is_traditional
from bot.services import Services
from bot.texts import Html, fmt
from storage import queries
from storage.models import Conversation
from storage.uow import UnitOfWork

FLOW = "report"
DESCRIPTION, PHOTOS, ADDRESS = "description", "photos", "address"
PHONE, CONFIRM = "phone", "confirm"
ORDER = (DESCRIPTION, PHOTOS, ADDRESS, PHONE, CONFIRM)
DESCRIPTION_CHARS = (4, 1500)   # with a 500-character reason, a card stays within 4096
ADDRESS_CHARS = (3, 200)
MAX_PHOTOS = 9
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")

Data = dict[str, Any]
Step = tuple[str | None, list[Reply]]   # (next step or None to stay, replies)


def _next(step: str, data: Data) -> str:
    return CONFIRM if data.get("editing") else ORDER[ORDER.index(step) + 1]


def _length_problem(text: str, bounds: tuple[int, int], short: str, long: str) -> str | None:
    if len(text) < bounds[0]:
        return short
    if len(text) > bounds[1]:
        return fmt(long, limit=bounds[1])
    return None


def _description(data: Data, inp: Incoming) -> Step:
    if inp.kind == Kind.VOICE:
        data.update(description=texts.VOICE_DESCRIPTION, voice=inp.file_id)
        return _next(DESCRIPTION, data), []
    if inp.kind == Kind.PHOTO:
        data.setdefault("photos", []).append(inp.file_id)
        if not inp.plain:
            return None, [Reply(texts.PHOTO_NEEDS_TEXT)]
    elif inp.kind != Kind.TEXT:
        return None, [Reply(texts.DESCRIPTION_WRONG_INPUT)]
    problem = _length_problem(inp.plain, DESCRIPTION_CHARS, texts.DESCRIPTION_TOO_SHORT,
                              texts.DESCRIPTION_TOO_LONG)
    if problem:
        return None, [Reply(problem)]
    data.update(description=inp.plain, voice=None,
                traditional=is_traditional(inp.plain))
    return _next(DESCRIPTION, data), []


def _photos(data: Data, inp: Incoming) -> Step:
    if inp.kind == Kind.TEXT and inp.plain in (texts.BTN_DONE, texts.BTN_SKIP):
        return _next(PHOTOS, data), []
    if inp.kind != Kind.PHOTO:
        return None, [Reply(texts.PHOTOS_WRONG_INPUT)]
    photos = data.setdefault("photos", [])
    if len(photos) >= MAX_PHOTOS:
        return None, [Reply(fmt(texts.PHOTOS_FULL, limit=MAX_PHOTOS))]
    photos.append(inp.file_id)
    if inp.media_group and inp.media_group == data.get("album"):
        return None, []   # one answer per album, not one per photo
    data["album"] = inp.media_group
    return None, [Reply(fmt(texts.PHOTO_ADDED, count=len(photos)))]


def _address(data: Data, inp: Incoming) -> Step:
    if inp.kind == Kind.LOCATION:
        data.update(latitude=inp.latitude, longitude=inp.longitude, address=None)
        return _next(ADDRESS, data), []
    if inp.kind != Kind.TEXT or inp.plain == texts.BTN_LOCATION:
        return None, [Reply(texts.ADDRESS_WRONG_INPUT)]
    problem = _length_problem(inp.plain, ADDRESS_CHARS, texts.ADDRESS_TOO_SHORT,
                              texts.ADDRESS_TOO_LONG)
    if problem:
        return None, [Reply(problem)]
    data.update(address=inp.plain, latitude=None, longitude=None)
    return _next(ADDRESS, data), []


def normal_phone(text: str) -> str | None:
    digits = re.sub(r"[\s()（）]", "", text).removeprefix("+86").removeprefix("0086")
    return digits if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits) else None


def _phone(data: Data, inp: Incoming, user_id: int) -> Step:
    if inp.kind == Kind.TEXT and inp.plain == texts.BTN_SKIP:
        data["phone"] = None
        return _next(PHONE, data), []
    if inp.kind == Kind.CONTACT:
        if inp.contact_user_id != user_id:
            return None, [Reply(texts.PHONE_NOT_OWN)]
        data["phone"] = normal_phone(inp.phone or "") or (inp.phone or "").lstrip("+")
        return _next(PHONE, data), []
    phone = normal_phone(inp.plain) if inp.kind == Kind.TEXT else None
    if phone is None:
        return None, [Reply(texts.PHONE_INVALID)]
    data["phone"] = phone
    return _next(PHONE, data), []


def _confirm(data: Data, inp: Incoming) -> Step:
    return None, [Reply(texts.CONFIRM_WAITING)]


def _where(data: Data) -> str:
    if data.get("latitude") is not None:
        return texts.LOCATION_ADDRESS.format(latitude=data["latitude"],
                                             longitude=data["longitude"])
    return data.get("address") or texts.NOT_GIVEN


def summary(data: Data) -> Reply:
    photos = data.get("photos") or []
    text = fmt(texts.SUMMARY, description=data.get("description", ""),
               photos=fmt(texts.PHOTO_COUNT, count=len(photos)) if photos else texts.NO_PHOTOS,
               address=_where(data), phone=data.get("phone") or texts.NO_PHONE)
    buttons = (((texts.BTN_CONFIRM, callbacks.encode(callbacks.DRAFT, "ok")),),
               ((texts.BTN_EDIT, callbacks.encode(callbacks.DRAFT, "edit")),
                (texts.BTN_CANCEL, callbacks.encode(callbacks.DRAFT, "cancel"))))
    return Reply(text, buttons)


def prompt(step: str, data: Data) -> list[Reply]:
    """What the resident is asked on entering `step`."""
    if step == DESCRIPTION:
        return [Reply(texts.ASK_DESCRIPTION, keyboard=Keyboard.REMOVE)]
    if step == PHOTOS:
        return [Reply(fmt(texts.ASK_PHOTOS, limit=MAX_PHOTOS), keyboard=Keyboard.PHOTOS)]
    if step == ADDRESS:
        return [Reply(texts.ASK_ADDRESS, keyboard=Keyboard.LOCATION)]
    if step == PHONE:
        return [Reply(texts.ASK_PHONE, keyboard=Keyboard.CONTACT)]
    return [Reply(texts.REVIEW_NEXT, keyboard=Keyboard.REMOVE), summary(data)]


def _localised(replies: list[Reply], data: Data) -> list[Reply]:
    traditional = bool(data.get("traditional"))
    return [Reply(texts.localise(r.text, traditional),
                  texts.localise_buttons(r.buttons, traditional), r.keyboard) for r in replies]


def _save(uow: UnitOfWork, conv: Conversation | None, user_id: int, step: str,
          data: Data, now: datetime) -> None:
    queries.save_conversation(uow.session, conv, user_id=user_id, flow=FLOW, step=step,
                              data=data, now=now)


async def start(svc: Services, *, user_id: int, first: Incoming | None = None) -> list[Reply]:
    """Begin a new report (dropping any unfinished one); `first` is a message that began it."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        data: Data = {}
        step, replies = DESCRIPTION, prompt(DESCRIPTION, data)
        if first is not None:
            moved, replies = _description(data, first)
            step = moved or DESCRIPTION
            replies = replies + prompt(moved, data) if moved else replies
        _save(uow, conv, user_id, step, data, svc.now())
        await uow.commit()
    return _localised(replies, data)


_STEPS: dict[str, Callable[[Data, Incoming], Step]] = {
    DESCRIPTION: _description, PHOTOS: _photos, ADDRESS: _address, CONFIRM: _confirm,
}


async def take_step(uow: UnitOfWork, svc: Services, conv: Conversation,
                    inp: Incoming) -> list[Reply]:
    """One message in the middle of a report (the caller commits)."""
    data = copy.deepcopy(conv.data)   # a fresh value, so the JSON column sees the change
    if conv.step == PHONE:
        moved, replies = _phone(data, inp, conv.user_id)
    else:
        moved, replies = _STEPS[conv.step](data, inp)
    if moved:
        replies = replies + prompt(moved, data)
        if moved == CONFIRM:
            data.pop("editing", None)
    _save(uow, conv, conv.user_id, moved or conv.step, data, svc.now())
    return _localised(replies, data)


def _draft(data: Data) -> lifecycle.Draft:
    return lifecycle.Draft(
        description=data["description"], photos=tuple(data.get("photos") or ()),
        voice=data.get("voice"), address=data.get("address"), latitude=data.get("latitude"),
        longitude=data.get("longitude"), phone=data.get("phone"),
        traditional=bool(data.get("traditional")),
    )


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
        req = await lifecycle.submit(uow, svc, resident_id=conv.user_id,
                                     resident_name=user_name, draft=_draft(data))
        await uow.session.delete(conv)
        routing = (fmt(texts.SUBMITTED_ROUTED,
                       department=render.department_name(svc.config, req.department))
                   if req.department else texts.SUBMITTED_TRIAGE)
        done = Reply(fmt(texts.SUBMITTED, number=req.number, routing=Html(routing)))
        return Outcome(buttons=(), replies=tuple(_localised([done], data)))
    if choice == "cancel":
        await uow.session.delete(conv)
        return Outcome(buttons=(), replies=tuple(_localised([Reply(texts.CANCELLED)], data)))
    if choice == "edit":
        fields = tuple(((texts.FIELD_LABELS[f], callbacks.encode(callbacks.DRAFT, f)),)
                       for f in (DESCRIPTION, PHOTOS, ADDRESS, PHONE))
        return Outcome(buttons=texts.localise_buttons(fields, bool(data.get("traditional"))))
    if choice == PHOTOS:
        data["photos"] = []   # re-taking photos replaces them
    data["editing"] = True
    _save(uow, conv, conv.user_id, choice, data, svc.now())
    return Outcome(buttons=(), replies=tuple(_localised(prompt(choice, data), data)))
