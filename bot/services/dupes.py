"""Duplicates (+1): a new report of the same category at the same place (小区/楼栋) as an open
request of the last 30 days is offered to join it instead; joining subscribes the resident to
its updates and tells whoever holds it that one more resident is affected."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.domain import places, residents
from bot.notify import callbacks, render, texts
from bot.notify.replies import Keyboard, Say
from bot.routing import normalise
from bot.services.core import Services
from bot.services.ledger import load, record
from storage import queries
from storage.models import Attachment, Request, RequestSubscriber
from storage.uow import UnitOfWork

SIMILAR_WITHIN = timedelta(days=30)

Data = dict[str, Any]


def _place(address: str | None) -> places.Place | None:
    return places.place_of(normalise(address)) if address else None


async def similar_request(uow: UnitOfWork, svc: Services, *, user_id: int,
                          data: Data) -> Request | None:
    """An open request of another resident, of the draft's category (when the router is
    confident of it), in the same area, at the same place (bot.domain.places), made within
    `SIMILAR_WITHIN`, that the resident has neither joined nor declined; None for a draft
    without a place or with a vague one."""
    place = None if data.get("no_place") else _place(data.get("address"))
    if place is None:
        return None
    decision = await asyncio.to_thread(   # CPU work (jieba, the model) off the event loop
        svc.router.classify, data["description"], address=data["address"])
    if not decision.confident or decision.category is None:
        return None
    declined = set(data.get("declined") or ())
    for req in await queries.similar_open_requests(
            uow.session, category=decision.category, since=svc.now() - SIMILAR_WITHIN,
            resident_id=user_id):
        if req.number in declined or (decision.area and req.area
                                      and decision.area != req.area):
            continue
        if places.same_place(place, _place(req.address)):
            return req
    return None


def offer(svc: Services, req: Request, *, traditional: bool) -> Say:
    """The question: join (+1) the request found, or still file a new one."""
    return Say(texts.SIMILAR_OFFER, {
        "number": req.number, "category": render.category_name(svc.config, req.category),
        "status": texts.STATUS_LABELS[req.status], "summary": render.shorten(req.description),
        "count": (req.joined_count or 0) + 1,
    }, buttons=(((texts.BTN_JOIN, callbacks.encode(callbacks.SIMILAR, "join")),),
                ((texts.BTN_FILE_NEW, callbacks.encode(callbacks.SIMILAR, "new")),)),
        traditional=traditional)


async def join(uow: UnitOfWork, svc: Services, *, user_id: int, number: str,
               data: Data) -> Say:
    """+1 (the caller commits): the resident subscribes to `number` and the draft's words and
    photos go to its ledger. Raises WrongState when it was answered or closed meanwhile,
    NotAllowed for the resident's own request."""
    req, actor = await load(uow, "join", actor_id=user_id, number=number)
    traditional, now = bool(data.get("traditional")), svc.now()
    if await queries.subscription(uow.session, req.id, user_id) is None:
        photos = tuple(data.get("photos") or ())
        uow.session.add(RequestSubscriber(request_id=req.id, resident_id=user_id,
                                          traditional=traditional, created_at=now))
        for file_id in photos:
            uow.session.add(Attachment(request_id=req.id, kind="photo", file_id=file_id,
                                       added_by=user_id, created_at=now))
        await record(uow, req, residents.join(req, actor, text=data.get("description", ""),
                                              photos=photos, at=now))
    return Say(texts.JOINED, {"number": number, "count": (req.joined_count or 0) + 1},
               keyboard=Keyboard.REMOVE, traditional=traditional)
