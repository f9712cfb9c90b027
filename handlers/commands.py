"""Commands: /start, /help, /new, /proxy, /my, /cancel, /privacy, /delete_my_data."""

from __future__ import annotations

from contextlib import suppress

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest

from bot.domain.model import Role
from bot.notify import render, texts
from bot.notify.replies import Keyboard, Reply
from bot.services import dialogs, my, report
from bot.services.access import Reader, reader
from bot.services.reach import chat_reached
from bot.services.staff import redeem_invite
from handlers.common import show
from handlers.context import AppContext


async def on_start(update: Update, context: AppContext) -> None:
    """/start: what the bot does and how to begin (staff also get their own menu);
    /start CODE redeems a staff invite. The chat is open now: a later 403 is told to the
    office again."""
    user = update.effective_user
    assert user is not None
    await chat_reached(context.svc, user.id)   # blocked or never opened before: now open
    if context.args:
        return await _redeem(update, context, context.args[0])
    who = await _reader(update, context)
    if who.role != Role.RESIDENT:
        await _staff_menu(context, user.id, who.role)
    await show(update, [Reply(_help(texts.START, who.role), keyboard=Keyboard.REMOVE)],
               traditional=who.traditional)


async def _reader(update: Update, context: AppContext) -> Reader:
    """The sender's role and whether they read Traditional (Telegram language, or seen
    writing it)."""
    user = update.effective_user
    assert user is not None
    return await reader(context.svc, user_id=user.id, language_code=user.language_code)


async def _redeem(update: Update, context: AppContext, code: str) -> None:
    """A staff invite: welcomed with the staff menu, or one neutral refusal for any bad code."""
    user = update.effective_user
    assert user is not None
    joined = await redeem_invite(context.svc, user_id=user.id, name=user.full_name, code=code)
    if joined is None:
        return await show(update, [Reply(texts.fmt(texts.INVITE_REFUSED))])
    await _staff_menu(context, user.id, Role(joined.role_code))
    await show(update, [Reply(texts.fmt(texts.INVITE_JOINED, department=joined.department,
                                        role=joined.role))])


async def on_help(update: Update, context: AppContext) -> None:
    """/help: how to report and follow a request."""
    who = await _reader(update, context)
    await show(update, [Reply(_help(texts.HELP, who.role))], traditional=who.traditional)


def _help(base: str, role: Role) -> str:
    if role == Role.RESIDENT:
        return base
    if role == Role.GRID:
        return base + texts.GRID_HELP
    extra = texts.DISPATCHER_HELP if role in (Role.DISPATCHER, Role.ADMIN) else ""
    return base + texts.fmt(texts.STAFF_HELP, role=texts.ROLE_NAMES[role]) + extra


async def _staff_menu(context: AppContext, chat_id: int, role: Role) -> None:
    """Staff see /cancel too, grid workers /proxy; set once they have opened the chat
    (Telegram needs that)."""
    menu = texts.COMMANDS_GRID if role == Role.GRID else texts.COMMANDS_STAFF
    commands = [BotCommand(c, d) for c, d in menu]
    with suppress(BadRequest):   # the menu is a convenience; /help works without it
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def on_new(update: Update, context: AppContext) -> None:
    """/new: begin a report."""
    user = update.effective_user
    assert user is not None
    await show(update, render.replies(await report.start(context.svc, user_id=user.id,
                                                         language=user.language_code)))


async def on_proxy(update: Update, context: AppContext) -> None:
    """/proxy: a grid worker (网格员) reports for a resident, by the resident's phone."""
    user = update.effective_user
    assert user is not None
    await show(update, render.replies(await report.start_proxy(context.svc, user_id=user.id)))


async def on_my(update: Update, context: AppContext) -> None:
    """/my: the resident's requests with their status, a page at a time."""
    user = update.effective_user
    assert user is not None
    page = await my.my_page(context.svc, resident_id=user.id, language_code=user.language_code)
    text, buttons = render.my_requests(page)
    await show(update, [Reply(text, buttons)], traditional=page.traditional)


async def on_cancel(update: Update, context: AppContext) -> None:
    """/cancel: leave whatever is in progress."""
    user = update.effective_user
    assert user is not None
    await show(update, [render.reply(await dialogs.cancel(context.svc, user_id=user.id))])



async def on_privacy(update: Update, context: AppContext) -> None:
    """/privacy: what is stored and who sees it."""
    await show(update, [Reply(texts.fmt(texts.PRIVACY))],
               traditional=(await _reader(update, context)).traditional)


async def on_delete_my_data(update: Update, context: AppContext) -> None:
    """/delete_my_data: asks to confirm; the button erases (handlers/buttons.py)."""
    await show(update, [Reply(texts.fmt(texts.ASK_ERASE), render.erase_confirmation())])
