"""Inline buttons: parse the data, call one use case, show its outcome.

The data is never trusted: every use case re-checks who pressed and the request's state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import callbacks, dialogs, lifecycle, render, report, texts
from bot.callbacks import Callback
from bot.errors import DomainError
from bot.model import Rating
from bot.replies import Outcome, Reply
from bot.services import Services
from bot.telegram_sender import inline_markup
from handlers.common import error_text
from handlers.context import AppContext
from handlers.keyboards import markup

UseCase = Callable[[Services, int, str | None, Callback], Awaitable[Outcome]]


async def _transition(svc: Services, step: Callable[..., Awaitable[Reply]], **kwargs: object,
                      ) -> Reply:
    async with svc.uow() as uow:
        reply = await step(uow, svc, **kwargs)
        await uow.commit()
    return reply


async def _accept(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
    return Outcome(edit=await _transition(svc, lifecycle.accept, actor_id=user, number=cb.args[0]))


async def _route(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
    number, category, *area = cb.args
    reply = await _transition(svc, lifecycle.route, actor_id=user, number=number,
                              category=category, area=area[0] if area else None)
    return Outcome(edit=reply)


async def _all_categories(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
    return Outcome(buttons=await lifecycle.triage_keyboard(svc, actor_id=user, number=cb.args[0]))


async def _rate(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
    number, rating = cb.args
    if rating == Rating.UNSATISFIED:
        return await dialogs.ask_text(svc, user_id=user, number=number, flow="reopen")
    reply = await _transition(svc, lifecycle.rate, actor_id=user, number=number,
                              rating=Rating(rating))
    return Outcome(buttons=(), replies=(reply,))


async def _withdraw(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
    reply = await _transition(svc, lifecycle.withdraw, actor_id=user, number=cb.args[0])
    text, buttons = render.my_requests(await lifecycle.my_requests(svc, resident_id=user))
    return Outcome(edit=Reply(text, buttons), replies=(reply,))


def _ask(flow: str) -> UseCase:
    async def use_case(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
        return await dialogs.ask_text(svc, user_id=user, number=cb.args[0], flow=flow)
    return use_case


async def _draft(svc: Services, user: int, name: str | None, cb: Callback) -> Outcome:
    return await report.press(svc, user_id=user, user_name=name, choice=cb.args[0])


USE_CASES: dict[str, UseCase] = {
    callbacks.ACCEPT: _accept,
    callbacks.RETURN: _ask("return"),
    callbacks.RESOLVE: _ask("answer"),
    callbacks.ROUTE: _route,
    callbacks.TRIAGE_ALL: _all_categories,
    callbacks.RATE: _rate,
    callbacks.WITHDRAW: _withdraw,
    callbacks.DRAFT: _draft,
}


async def _update_pressed(query: CallbackQuery, outcome: Outcome) -> None:
    if outcome.edit is not None:
        await query.edit_message_text(outcome.edit.text, parse_mode=ParseMode.HTML,
                                      reply_markup=inline_markup(outcome.edit.buttons),
                                      disable_web_page_preview=True)
    elif outcome.buttons is not None:
        await query.edit_message_reply_markup(inline_markup(outcome.buttons))


async def on_button(update: Update, context: AppContext) -> None:
    """Any inline button, in a private chat or a department's group."""
    query = update.callback_query
    assert query is not None
    parsed = callbacks.parse(query.data)
    if parsed is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    user = query.from_user
    try:
        outcome = await USE_CASES[parsed.action](context.svc, user.id, user.full_name, parsed)
    except DomainError as exc:
        await query.answer(error_text(exc), show_alert=True)
        return
    await query.answer(outcome.notice)
    with suppress(BadRequest):   # a message too old to edit: the replies below still tell
        await _update_pressed(query, outcome)
    await show_private(context, user.id, outcome.replies)


async def show_private(context: AppContext, user_id: int, replies: tuple[Reply, ...]) -> None:
    """Follow-ups go to the presser's own chat, even for a button pressed in a group."""
    for reply in replies:
        await context.bot.send_message(user_id, reply.text, parse_mode=ParseMode.HTML,
                                       reply_markup=markup(reply),
                                       disable_web_page_preview=True)
