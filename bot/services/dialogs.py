"""Where a user's next message goes: a report step, a staff answer or reason, or a new report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.errors import DomainError
from bot.domain.model import Role
from bot.limits import utf16_len
from bot.notify import texts
from bot.notify.replies import Keyboard, Outcome, Say
from bot.services import followup, my, report
from bot.services.core import Services
from bot.services.handling import (
    InvalidAnswer,
    ask_extension,
    post_co_note,
    post_progress,
    restrict_task,
)
from bot.services.incoming import Incoming, Kind
from bot.services.ledger import actor_of, load
from bot.services.residents import comment_spot_check, reopen_request
from bot.services.tasks import resolve_task, return_task
from storage import queries
from storage.models import Conversation
from storage.uow import UnitOfWork

Finish = Callable[..., Awaitable[Say]]


QUESTION_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class TextFlow:
    """A question whose answer is one text: checked on asking, a transition on answering."""

    rule: str
    question: str
    transition: Finish
    keyword: str
    max_chars: int   # keeps every card that quotes the text within Telegram's 4096
    carries: tuple[str, ...] = ()   # what else the question kept for the transition
    spends_card: bool = True   # the card's buttons are spent once the text is in
    photo: bool = False        # a photo with the text as its caption is taken too
    voice: bool = False        # a voice message is taken too: said, not typed


TEXT_FLOWS: dict[str, TextFlow] = {
    "answer": TextFlow("resolve", texts.ASK_ANSWER, resolve_task, "answer", 1500, photo=True),
    "return": TextFlow("return", texts.ASK_RETURN_REASON, return_task, "reason", 500),
    "reopen": TextFlow("reopen", texts.ASK_REOPEN_REASON, reopen_request, "reason", 500,
                       voice=True),
    "spot_comment": TextFlow("spot_check", texts.SPOT_CHECK_THANKS, comment_spot_check,
                             "comment", 500, carries=("unsatisfied",), voice=True),
    "progress": TextFlow("progress", texts.ASK_PROGRESS, post_progress, "note", 500,
                         spends_card=False),
    "extend": TextFlow("extend", texts.ASK_EXTENSION, ask_extension, "text", 300,
                       spends_card=False),
    "restrict": TextFlow("restrict", texts.ASK_RESTRICT, restrict_task, "explanation", 1000),
    "co_note": TextFlow("co_note", texts.ASK_CO_NOTE, post_co_note, "note", 1000,
                        spends_card=False),
}


async def ask_text(svc: Services, *, user_id: int, number: str, flow: str,
                   card: tuple[int, int] | None = None) -> Outcome:
    """A button that needs a text next (办结's answer, 退单's or 不满意's reason).

    `card` (chat id, message id) is the message whose buttons are spent once the text is in.
    """
    text_flow = TEXT_FLOWS[flow]
    async with svc.uow() as uow:
        req, _actor = await load(uow, text_flow.rule, actor_id=user_id, number=number)
        conv = await queries.conversation_of(uow.session, user_id)
        queries.save_conversation(uow.session, conv, user_id=user_id, flow=flow, step="text",
                                  data={"number": number, "card": card}, now=svc.now())
        await uow.commit()
    return Outcome(replies=(Say(text_flow.question, {"number": number}, keyboard=Keyboard.REMOVE,
                                traditional=req.traditional and flow == "reopen"),))


@dataclass(frozen=True)
class Answer:
    """The replies to a message, and a message whose buttons it spent (chat id, message id)."""

    replies: list[Say]
    spent: tuple[int, int] | None = None
    settle_in: timedelta | None = None   # then call `report.settle` (a paste may continue)


async def _finish_text(uow: UnitOfWork, svc: Services, conv: Conversation,
                       inp: Incoming) -> Answer:
    text_flow = TEXT_FLOWS[conv.flow]
    with_photo = text_flow.photo and inp.kind == Kind.PHOTO
    said = text_flow.voice and inp.kind == Kind.VOICE   # kept as the voice, "（语音）" as text
    text = texts.VOICE_DESCRIPTION if said else inp.plain
    if (inp.kind != Kind.TEXT and not with_photo and not said) or not text:
        return Answer([Say(texts.STAFF_TEXT_REQUIRED)])
    extra = {"photo": inp.file_id} if with_photo else {"voice": inp.file_id} if said else {}
    if conv.data.get("card"):   # the card whose button asked: its handler updates it
        uow.shown.add(tuple(conv.data["card"]))
    if utf16_len(text) > text_flow.max_chars:   # Telegram's units: bot/limits.py
        return Answer([Say(texts.STAFF_TEXT_TOO_LONG, {"limit": text_flow.max_chars})])
    try:
        reply = await text_flow.transition(uow, svc, actor_id=conv.user_id,
                                           number=conv.data["number"],
                                           **{text_flow.keyword: text}, **extra,
                                           **{k: conv.data[k] for k in text_flow.carries})
    except InvalidAnswer as exc:   # the question stays; the person is told what to write
        return Answer([exc.say])
    await uow.session.delete(conv)
    card = conv.data.get("card") if text_flow.spends_card else None
    return Answer([reply], tuple(card) if card else None)


def _forgotten(svc: Services, conv: Conversation) -> bool:
    """A question left unanswered this long no longer claims the user's next message."""
    return conv.flow != report.FLOW and svc.now() - conv.updated_at > QUESTION_TTL


async def on_message(svc: Services, *, user_id: int, inp: Incoming) -> Answer:
    """Any message that is not a command."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is not None and (_forgotten(svc, conv) or conv.flow == followup.FLOW
                                 or (conv.flow == my.FLOW and not my.continues(conv, inp))):
            await uow.session.delete(conv)
            conv = None
        if conv is not None:
            try:
                if conv.flow == report.FLOW:
                    turn = await report.take_step(uow, svc, conv, inp)
                    answer = Answer(turn.replies, settle_in=turn.settle_in)
                elif conv.flow == my.FLOW:
                    added = await my.add_more(uow, svc, conv, inp)
                    answer = Answer([added] if added is not None else [])
                else:
                    answer = await _finish_text(uow, svc, conv, inp)
            except DomainError:
                # the request moved on: drop the question, in this session (SQLite has one writer)
                await uow.rollback()
                stale = await queries.conversation_of(uow.session, user_id)
                if stale is not None:
                    await uow.session.delete(stale)
                await uow.commit()
                raise
            await uow.commit()
            return answer
        actor = await actor_of(uow.session, user_id)
        await uow.commit()
    if actor.role == Role.GRID:
        return Answer([Say(texts.GRID_IDLE)])
    if actor.role != Role.RESIDENT:
        return Answer([Say(texts.STAFF_IDLE)])
    offered = await followup.offer(svc, user_id=user_id, inp=inp)
    if offered is not None:   # "怎么还没人来": about a request already made?
        return Answer(offered)
    if inp.kind in (Kind.TEXT, Kind.PHOTO, Kind.VOICE):   # writing starts a report
        turn = await report.begin(svc, user_id=user_id, first=inp)
        return Answer(turn.replies, settle_in=turn.settle_in)
    return Answer([Say(texts.UNSUPPORTED_MESSAGE)])


async def on_edit(svc: Services, *, user_id: int, inp: Incoming) -> list[Say]:
    """An edited message (Telegram's edited_message): before submission, an edit of the
    description replaces it in the draft; after submission, a hint how to add information
    (a submitted request is not changed behind the staff's back). Nothing for other edits
    of someone with no request."""
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        applied = await report.apply_edit(uow, svc, conv, inp) if conv is not None else None
        if applied is not None:
            await uow.commit()
            return applied
        submitted = await queries.requests_of_resident(uow.session, user_id, limit=1)
        latest = [(r.number, r.traditional) for r in submitted]
    if not latest:
        return []
    return [Say(texts.EDIT_AFTER_SUBMIT, {"number": latest[0][0]}, traditional=latest[0][1])]


async def drop_question(svc: Services, *, user_id: int) -> Conversation | None:
    """Forget what the user was in the middle of; returns what was dropped.

    Also for a question that could not be shown (the person never opened a private chat
    with the bot): nothing they type later is taken as its answer.
    """
    async with svc.uow() as uow:
        conv = await queries.conversation_of(uow.session, user_id)
        if conv is not None:
            await uow.session.delete(conv)
        await uow.commit()
    return conv


async def cancel(svc: Services, *, user_id: int) -> Say:
    """/cancel at any step: drop whatever the user was in the middle of."""
    conv = await drop_question(svc, user_id=user_id)
    if conv is None:
        return Say(texts.NOTHING_TO_CANCEL, keyboard=Keyboard.REMOVE)
    if conv.flow == report.FLOW:
        return Say(texts.CANCELLED, keyboard=Keyboard.REMOVE,
                   traditional=bool(conv.data.get("traditional")))
    return Say(texts.ACTION_CANCELLED, keyboard=Keyboard.REMOVE)
