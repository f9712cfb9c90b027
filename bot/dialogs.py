"""Where a user's next message goes: a report step, a staff answer or reason, or a new report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot import lifecycle, report, texts
from bot.domain.errors import DomainError
from bot.domain.model import Role
from bot.incoming import Incoming, Kind
from bot.replies import Keyboard, Outcome, Reply
from bot.services import Services
from bot.texts import fmt
from storage import queries
from storage.models import Conversation
from storage.uow import UnitOfWork

Finish = Callable[..., Awaitable[Reply]]


QUESTION_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class TextFlow:
    """A question whose answer is one text: checked on asking, a transition on answering."""

    rule: str
    question: str
    transition: Finish
    keyword: str
    max_chars: int   # keeps every card that quotes the text within Telegram's 4096


TEXT_FLOWS: dict[str, TextFlow] = {
    "answer": TextFlow("resolve", texts.ASK_ANSWER, lifecycle.resolve, "answer", 1500),
    "return": TextFlow("return", texts.ASK_RETURN_REASON, lifecycle.return_task, "reason", 500),
    "reopen": TextFlow("reopen", texts.ASK_REOPEN_REASON, lifecycle.reopen, "reason", 500),
}


async def ask_text(svc: Services, *, user_id: int, number: str, flow: str,
                   card: tuple[int, int] | None = None) -> Outcome:
    """A button that needs a text next (办结's answer, 退单's or 不满意's reason).

    `card` (chat id, message id) is the message whose buttons are spent once the text is in.
    """
    text_flow = TEXT_FLOWS[flow]
    async with svc.uow() as uow:
        req, _actor = await lifecycle.load(uow, text_flow.rule, actor_id=user_id, number=number)
        conv = await queries.conversation_of(uow.session, user_id)
        queries.save_conversation(uow.session, conv, user_id=user_id, flow=flow, step="text",
                                  data={"number": number, "card": card}, now=svc.now())
        await uow.commit()
    text = fmt(text_flow.question, number=number)
    return Outcome(replies=(Reply(texts.localise(text, req.traditional and flow == "reopen"),
                                  keyboard=Keyboard.REMOVE),))


@dataclass(frozen=True)
class Answer:
    """The replies to a message, and a message whose buttons it spent (chat id, message id)."""

    replies: list[Reply]
    spent: tuple[int, int] | None = None


async def _finish_text(uow: UnitOfWork, svc: Services, conv: Conversation,
                       inp: Incoming) -> Answer:
    text_flow = TEXT_FLOWS[conv.flow]
    if inp.kind != Kind.TEXT or not inp.plain:
        return Answer([Reply(texts.STAFF_TEXT_REQUIRED)])
    if len(inp.plain) > text_flow.max_chars:
        return Answer([Reply(fmt(texts.STAFF_TEXT_TOO_LONG, limit=text_flow.max_chars))])
    reply = await text_flow.transition(uow, svc, actor_id=conv.user_id,
                                       number=conv.data["number"],
                                       **{text_flow.keyword: inp.plain})
    await uow.session.delete(conv)
    card = conv.data.get("card")
    return Answer([reply], tuple(card) if card else None)


def _forgotten(svc: Services, conv: Conversation) -> bool:
    """A question left unanswered this long no longer claims the user's next message."""
    return conv.flow != report.FLOW and svc.now() - conv.updated_at > QUESTION_TTL


async def on_message(svc: Services, *, user_id: int, inp: Incoming) -> Answer:
    """Any message that is not a command."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is not None and _forgotten(svc, conv):
            await uow.session.delete(conv)
            conv = None
        if conv is not None:
            try:
                if conv.flow == report.FLOW:
                    answer = Answer(await report.take_step(uow, svc, conv, inp))
                else:
                    answer = await _finish_text(uow, svc, conv, inp)
            except DomainError:
                # the request moved on: drop the question, in this session (SQLite has one writer)
                await uow.session.rollback()
                stale = await queries.conversation_of(uow.session, user_id)
                if stale is not None:
                    await uow.session.delete(stale)
                await uow.commit()
                raise
            await uow.commit()
            return answer
        actor = await lifecycle.actor_of(uow.session, user_id)
        await uow.commit()
    if actor.role != Role.RESIDENT:
        return Answer([Reply(texts.STAFF_IDLE)])
    if inp.kind in (Kind.TEXT, Kind.PHOTO, Kind.VOICE):   # writing starts a report
        return Answer(await report.start(svc, user_id=user_id, first=inp))
    return Answer([Reply(texts.UNSUPPORTED_MESSAGE)])


async def forget(svc: Services, *, user_id: int,
                 number: str | None = None) -> Conversation | None:
    """Drop what the user was in the middle of (with `number`: only a question about that
    request, e.g. 满意 after 不满意 settles it); returns what was dropped."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is None or (number is not None and (
                conv.flow not in TEXT_FLOWS or conv.data.get("number") != number)):
            return None
        await uow.session.delete(conv)
        await uow.commit()
    return conv


async def cancel(svc: Services, *, user_id: int) -> Reply:
    """/cancel at any step."""
    conv = await forget(svc, user_id=user_id)
    if conv is None:
        return Reply(texts.NOTHING_TO_CANCEL, keyboard=Keyboard.REMOVE)
    if conv.flow == report.FLOW:
        traditional = bool(conv.data.get("traditional"))
        return Reply(texts.localise(texts.CANCELLED, traditional), keyboard=Keyboard.REMOVE)
    return Reply(texts.ACTION_CANCELLED, keyboard=Keyboard.REMOVE)
