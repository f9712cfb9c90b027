"""The resident's use cases on a request: rate, reopen (不满意打回重新办理), withdraw, list."""

from __future__ import annotations

from bot.domain import followups, transitions
from bot.domain.errors import NotAllowed, WrongState
from bot.domain.model import Rating
from bot.domain.views import RequestView
from bot.notify import texts
from bot.notify.replies import Say
from bot.services.core import Services
from bot.services.ledger import deadlines, load, record, view_of
from storage import queries
from storage.uow import UnitOfWork


async def rate_request(svc: Services, *, actor_id: int, number: str, rating: Rating) -> Say:
    """满意 / 基本满意 closes the request and drops a pending 不满意 question about it.

    Raises NotAllowed for 不满意 (that is `reopen_request`, with a reason) and whatever
    the rules raise.
    """
    async with svc.uow() as uow:
        req, actor = await load(uow, "rate", actor_id=actor_id, number=number)
        await record(uow, req, transitions.rate(req, actor, rating=rating, at=svc.now()))
        conv = await queries.conversation_of(uow.session, actor_id)
        if conv is not None and conv.data.get("number") == number and conv.flow == "reopen":
            await uow.session.delete(conv)
        await uow.commit()
    return Say(texts.THANKS_RATING, {"number": number}, traditional=req.traditional)


async def reopen_request(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                         reason: str, voice: str | None = None) -> Say:
    """不满意 with `reason` (or a `voice` message's file id, the reason said), inside the
    caller's unit: back to the same department."""
    req, actor = await load(uow, "reopen", actor_id=actor_id, number=number)
    limits = svc.config.limits_for(req.category, urgent=req.urgent)
    event = transitions.reopen(req, actor, reason=reason, max_reopens=limits.max_reopens,
                               deadlines=deadlines(svc, req), at=svc.now(), voice=voice)
    await record(uow, req, event)
    department = svc.config.department(req.department or "")
    return Say(texts.REOPENED, {"number": number,
                                "department": department.name if department else ""},
               traditional=req.traditional)


async def answer_spot_check(svc: Services, *, actor_id: int, number: str,
                            rating: Rating) -> Say:
    """The resident's answer to a spot check (抽访); then an optional comment is welcome.

    Raises NotAllowed if this request was not spot-checked, WrongState if it was answered.
    """
    async with svc.uow() as uow:
        req, actor = await load(uow, "spot_check", actor_id=actor_id, number=number)
        if not await queries.has_event(uow.session, req.id, "spot_check_sent"):
            raise NotAllowed("spot_check")
        if await queries.has_event(uow.session, req.id, "spot_check"):
            raise WrongState(req.status)
        await record(uow, req, followups.spot_check(req, actor, rating=rating, at=svc.now()))
        conv = await queries.conversation_of(uow.session, actor_id)
        queries.save_conversation(uow.session, conv, user_id=actor_id, flow="spot_comment",
                                  step="text", data={"number": number,
                                                     "unsatisfied": rating == Rating.UNSATISFIED},
                                  now=svc.now())
        await uow.commit()
    return Say(texts.SPOT_CHECK_THANKS, traditional=req.traditional)


async def comment_spot_check(uow: UnitOfWork, svc: Services, *, actor_id: int, number: str,
                             comment: str, unsatisfied: bool = False,
                             voice: str | None = None) -> Say:
    """The optional comment after a spot-check answer, inside the caller's unit (`voice`: the
    file id of a comment said, not typed)."""
    req, actor = await load(uow, "spot_check", actor_id=actor_id, number=number)
    await record(uow, req, followups.spot_check_comment(
        req, actor, comment=comment, unsatisfied=unsatisfied, at=svc.now(), voice=voice))
    return Say(texts.SPOT_CHECK_COMMENT_THANKS, traditional=req.traditional)


async def withdraw_request(svc: Services, *, actor_id: int, number: str) -> Say:
    """The resident withdraws a request nobody has accepted yet."""
    async with svc.uow() as uow:
        req, actor = await load(uow, "withdraw", actor_id=actor_id, number=number)
        await record(uow, req, transitions.withdraw(req, actor, at=svc.now()))
        await uow.commit()
    return Say(texts.WITHDRAWN, {"number": number}, traditional=req.traditional)


async def my_requests(svc: Services, *, resident_id: int) -> list[RequestView]:
    """The resident's latest requests, newest first."""
    async with svc.uow() as uow:
        return [view_of(r) for r in await queries.requests_of_resident(uow.session, resident_id)]
