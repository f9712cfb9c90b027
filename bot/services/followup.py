"""A message outside any conversation that reads like a follow-up ("怎么还没人来", "催一下",
"进度怎么样") is offered to the resident's open requests instead of starting a new report.

Attaching it: a chase (催) is a 催办 of the chosen request (counted, the holder reminded) when
催办 is allowed now; otherwise (a question, or a 催办 refused: within 24 h of the last one, or a
疑难受限 request) the words go to the holder as 补充材料, logged in the ledger. Either way the
resident is told which. "这是新问题" starts a report with the message as its description.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import residents
from bot.domain.errors import TooSoon, WrongState
from bot.domain.followup_phrases import FollowUp, follow_up
from bot.domain.rules import Actor
from bot.domain.transitions import LedgerEvent
from bot.notify import callbacks, render, texts
from bot.notify.replies import Keyboard, Outcome, Say
from bot.routing import is_traditional, normalise
from bot.services import report
from bot.services.core import Services
from bot.services.incoming import Incoming, Kind
from bot.services.ledger import load, record
from storage import queries

FLOW = "followup"
OFFERED = 3   # the resident's newest open requests offered, one big button each


async def offer(svc: Services, *, user_id: int, inp: Incoming) -> list[Say] | None:
    """The question "which request is this about?" for a short follow-up-like text of a
    resident with open requests (the text is kept until they choose); None otherwise."""
    if inp.kind != Kind.TEXT or follow_up(normalise(inp.plain)) is None:
        return None
    traditional = is_traditional(inp.plain)
    async with svc.uow() as uow:
        mine = await queries.requests_of_resident(uow.session, user_id, OFFERED,
                                                   open_only=True)
        if not mine:
            return None
        conv = await queries.conversation_of(uow.session, user_id)
        queries.save_conversation(uow.session, conv, user_id=user_id, flow=FLOW, step="choose",
                                  data={"text": inp.plain, "traditional": traditional},
                                  now=svc.now())
        buttons = tuple(((texts.BTN_FOLLOW_UP.format(number=r.number,
                                                     summary=render.shorten(r.description, 12)),
                          callbacks.encode(callbacks.FOLLOW, r.number)),) for r in mine)
        await uow.commit()
    new = ((texts.BTN_NEW_PROBLEM, callbacks.encode(callbacks.FOLLOW, "new")),)
    return [Say(texts.FOLLOW_UP_OFFER, buttons=(*buttons, new), traditional=traditional)]


def _attached(req: residents.Urgeable, actor: Actor, text: str,
              at: datetime) -> tuple[LedgerEvent, str]:
    """催办 for a chase when allowed now, else 补充材料; the event and the reply's template."""
    if follow_up(normalise(text)) == FollowUp.CHASE:
        try:
            return residents.urge(req, actor, at=at), texts.FOLLOW_UP_URGED
        except (TooSoon, WrongState):
            pass
    return residents.add_information(req, actor, text=text, at=at), texts.FOLLOW_UP_ADDED


async def attach(svc: Services, *, user_id: int, choice: str) -> Outcome:
    """The resident chose a request (its number) or "new" for the kept follow-up text.

    Raises UnknownRequest / NotAllowed for a request that is not theirs, WrongState for one
    no longer open to 补充材料."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is None or conv.flow != FLOW:
            return Outcome(notice=texts.FOLLOW_UP_GONE, buttons=())
        text, traditional = conv.data["text"], bool(conv.data.get("traditional"))
        await uow.session.delete(conv)
        if choice != "new":
            req, actor = await load(uow, "add_info", actor_id=user_id, number=choice)
            event, template = _attached(req, actor, text, svc.now())
            await record(uow, req, event)
        await uow.commit()
    if choice == "new":
        started = await report.start(svc, user_id=user_id,
                                     first=Incoming(Kind.TEXT, text=text))
        return Outcome(buttons=(), replies=tuple(started))
    return Outcome(buttons=(), replies=(Say(template, {
        "number": choice, "status": texts.STATUS_LABELS[req.status]},
        keyboard=Keyboard.REMOVE, traditional=traditional),))
