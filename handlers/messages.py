"""Plain messages (not commands): a report step, a staff answer, or the start of a report."""

from __future__ import annotations

from contextlib import suppress

from telegram import Message, Update
from telegram.error import BadRequest

from bot.domain.errors import DomainError
from bot.notify import render, texts
from bot.notify.replies import Reply
from bot.services import dialogs, report
from bot.services.incoming import Incoming, Kind
from handlers.common import error_text, send_replies, show
from handlers.context import AppContext


def incoming_of(message: Message) -> Incoming:
    """The parts of a Telegram message the domain understands."""
    language = message.from_user.language_code if message.from_user is not None else None
    if message.text is not None:
        return Incoming(Kind.TEXT, text=message.text, message_id=message.message_id,
                        language=language)
    if message.photo:
        return Incoming(Kind.PHOTO, text=message.caption, file_id=message.photo[-1].file_id,
                        media_group=message.media_group_id, language=language)
    if message.voice is not None:
        return Incoming(Kind.VOICE, file_id=message.voice.file_id, language=language)
    if message.location is not None:
        return Incoming(Kind.LOCATION, latitude=message.location.latitude,
                        longitude=message.location.longitude, language=language)
    if message.contact is not None:
        return Incoming(Kind.CONTACT, phone=message.contact.phone_number,
                        contact_user_id=message.contact.user_id, language=language)
    return Incoming(Kind.OTHER, language=language)


async def on_message(update: Update, context: AppContext) -> None:
    """Any private message that is not a command."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    try:
        answer = await dialogs.on_message(context.svc, user_id=user.id,
                                          inp=incoming_of(message))
    except DomainError as exc:
        await show(update, [Reply(texts.fmt("{error}", error=error_text(exc)))])
        return
    if answer.spent is not None:   # first: once told, the person may act on what follows
        with suppress(BadRequest):   # a card too old to edit keeps its (now stale) buttons
            await context.bot.edit_message_reply_markup(*answer.spent, reply_markup=None)
    await show(update, render.replies(answer.replies))
    if answer.settle_in is not None and context.job_queue is not None:
        context.job_queue.run_once(_settle, answer.settle_in, data=user.id,
                                   name=f"settle {user.id}")


async def on_edit(update: Update, context: AppContext) -> None:
    """A private message edited (Telegram's edited_message)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    says = await dialogs.on_edit(context.svc, user_id=user.id, inp=incoming_of(message))
    await show(update, render.replies(says))


async def _settle(context: AppContext) -> None:
    """The paste window passed: a long description is complete, the report moves on."""
    assert context.job is not None
    user_id = int(context.job.data)  # type: ignore[arg-type]
    says = await report.settle(context.svc, user_id=user_id)
    await send_replies(context.bot, user_id, render.replies(says))
