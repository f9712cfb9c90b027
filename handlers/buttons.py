"""Inline buttons: parse the data, call one use case, render its view, show it.

The data is never trusted: every use case re-checks who pressed and the request's state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.delivery.sender import inline_markup
from bot.domain.access import reads_traditional
from bot.domain.errors import DomainError, SurveyClosed, WrongState
from bot.domain.model import Rating
from bot.limits import CALLBACK_ANSWER, clip_utf16
from bot.notify import callbacks, render, texts
from bot.notify import desk as desk_render
from bot.notify.callbacks import NUMBER, Callback
from bot.notify.replies import Outcome, Reply, Say
from bot.services import (
    Services,
    dialogs,
    followup,
    handling,
    my,
    privacy,
    report,
    residents,
    tasks,
)
from bot.services import desk as desk_services
from handlers import desk
from handlers.common import error_text, send_replies
from handlers.context import AppContext


@dataclass(frozen=True)
class Press:
    """Who pressed which button on which message."""

    user: int
    name: str | None
    callback: Callback
    card: tuple[int, int] | None   # (chat id, message id) of the pressed message

    @property
    def number(self) -> str:
        return self.callback.args[0]


UseCase = Callable[[Services, Press], Awaitable[Outcome]]


async def _accept(svc: Services, press: Press) -> Outcome:
    in_group = press.card is not None and press.card[0] != press.user
    done = await tasks.accept_task(svc, actor_id=press.user, number=press.number,
                                   in_group=in_group, card=press.card)
    return Outcome(edit=render.accepted_card(svc.config, done.request, acceptor=done.acceptor,
                                             reveal=not done.in_group))


async def _route(svc: Services, press: Press) -> Outcome:
    number, category, *area = press.callback.args
    view = await tasks.route_request(svc, actor_id=press.user, number=number,
                                     category=category, area=area[0] if area else None,
                                     card=press.card)
    return Outcome(edit=render.routed_card(svc.config, view))


def _page(press: Press) -> int:
    return int(press.callback.args[1]) if len(press.callback.args) > 1 else 0


async def _all_categories(svc: Services, press: Press) -> Outcome:
    view = await tasks.request_for(svc, "route", actor_id=press.user, number=press.number)
    return Outcome(buttons=render.triage_buttons(svc.config, view, everything=True,
                                                 page=_page(press)))


async def _co_menu(svc: Services, press: Press) -> Outcome:
    view = await tasks.request_for(svc, "add_co_handler", actor_id=press.user, number=press.number)
    return Outcome(buttons=render.co_handler_buttons(svc.config, view, page=_page(press)))


async def _co_add(svc: Services, press: Press) -> Outcome:
    view = await tasks.add_co_handler(svc, actor_id=press.user, number=press.number,
                                      department=press.callback.args[1])
    return Outcome(edit=render.routed_card(svc.config, view))


async def _decide_extension(svc: Services, press: Press) -> Outcome:
    done = await handling.decide_extension(svc, actor_id=press.user, number=press.number,
                                           approve=press.callback.args[1] == "yes")
    return Outcome(buttons=(), replies=(done,))


async def _list(svc: Services, press: Press) -> Outcome:
    kind, page = press.callback.args
    return Outcome(edit=await desk.list_page(svc, kind, press.user, int(page)))


async def _open(svc: Services, press: Press) -> Outcome:
    card = await desk_services.open_card(svc, actor_id=press.user, number=press.number)
    return Outcome(replies=(desk_render.card(svc.config, card),))


def _office_decision(decide: Callable[..., Awaitable[Say]]) -> UseCase:
    async def use_case(svc: Services, press: Press) -> Outcome:
        return Outcome(buttons=(), replies=(await decide(svc, actor_id=press.user,
                                                         number=press.number,
                                                         card=press.card),))
    return use_case


async def _rate(svc: Services, press: Press) -> Outcome:
    rating = Rating(press.callback.args[1])
    if rating == Rating.UNSATISFIED:
        return await dialogs.ask_text(svc, user_id=press.user, number=press.number,
                                      flow="reopen", card=press.card)
    thanks = await residents.rate_request(svc, actor_id=press.user, number=press.number,
                                          rating=rating)
    return Outcome(buttons=(), replies=(thanks,))


async def _spot_check(svc: Services, press: Press) -> Outcome:
    thanks = await residents.answer_spot_check(svc, actor_id=press.user, number=press.number,
                                               rating=Rating(press.callback.args[1]))
    return Outcome(buttons=(), replies=(thanks,))


async def _withdraw(svc: Services, press: Press) -> Outcome:
    """确认撤回: withdrawn; the pressed message shows the request as it now is."""
    done = await residents.withdraw_request(svc, actor_id=press.user, number=press.number)
    card = await my.detail(svc, actor_id=press.user, number=press.number)
    return Outcome(edit=render.my_detail(svc.config, card), replies=(done,))


async def _my_page(svc: Services, press: Press) -> Outcome:
    page = await my.my_page(svc, resident_id=press.user, page=int(press.callback.args[0]))
    text, buttons = render.my_requests(page)
    return Outcome(edit=Reply(text, buttons))


async def _my_open(svc: Services, press: Press) -> Outcome:
    card = await my.detail(svc, actor_id=press.user, number=press.number)
    return Outcome(edit=render.my_detail(svc.config, card))


async def _my_add(svc: Services, press: Press) -> Outcome:
    return Outcome(replies=(await my.ask_more(svc, user_id=press.user, number=press.number),))


async def _my_withdraw(svc: Services, press: Press) -> Outcome:
    question = await my.check_withdraw(svc, actor_id=press.user, number=press.number)
    return Outcome(replies=(Reply(render.reply(question).text,
                                  render.withdraw_confirmation(press.number)),))


async def _my_urge(svc: Services, press: Press) -> Outcome:
    done = await my.urge(svc, actor_id=press.user, number=press.number)
    return Outcome(replies=(done,), notice=render.reply(done).text)


async def _erase(svc: Services, press: Press) -> Outcome:
    """确认删除 erases the resident's personal data; 不删除 keeps it."""
    if press.callback.args[0] != "yes":
        return Outcome(edit=Reply(texts.fmt(texts.ERASE_KEPT)))
    return Outcome(edit=await privacy.erase(svc, user_id=press.user))


async def _my_rate(svc: Services, press: Press) -> Outcome:
    question = await my.survey_again(svc, actor_id=press.user, number=press.number)
    return Outcome(replies=(Reply(render.reply(question).text,
                                  render.survey_buttons(press.number)),))


def _ask(flow: str) -> UseCase:
    async def use_case(svc: Services, press: Press) -> Outcome:
        return await dialogs.ask_text(svc, user_id=press.user, number=press.number, flow=flow,
                                      card=press.card)
    return use_case


async def _draft(svc: Services, press: Press) -> Outcome:
    return await report.press(svc, user_id=press.user, user_name=press.name,
                              choice=press.callback.args[0])


async def _similar(svc: Services, press: Press) -> Outcome:
    """加入（+1） or 仍然新建, on the offer of the same problem open nearby."""
    return await report.answer_similar(svc, user_id=press.user, choice=press.callback.args[0])


async def _follow(svc: Services, press: Press) -> Outcome:
    """Which request a follow-up message is about, or 这是新问题."""
    return await followup.attach(svc, user_id=press.user, choice=press.callback.args[0])


USE_CASES: dict[str, UseCase] = {
    callbacks.ACCEPT: _accept,
    callbacks.RETURN: _ask("return"),
    callbacks.RESOLVE: _ask("answer"),
    callbacks.ROUTE: _route,
    callbacks.TRIAGE_ALL: _all_categories,
    callbacks.RATE: _rate,
    callbacks.SPOT: _spot_check,
    callbacks.PROGRESS: _ask("progress"),
    callbacks.EXTEND: _ask("extend"),
    callbacks.RESTRICT: _ask("restrict"),
    callbacks.CO_NOTE: _ask("co_note"),
    callbacks.DECIDE_EXTENSION: _decide_extension,
    callbacks.RESUME: _office_decision(handling.resume_request),
    callbacks.CLOSE_RESTRICTED: _office_decision(handling.close_restricted),
    callbacks.CO_MENU: _co_menu,
    callbacks.CO_ADD: _co_add,
    callbacks.LIST: _list,
    callbacks.OPEN: _open,
    callbacks.WITHDRAW: _withdraw,
    callbacks.MY_PAGE: _my_page,
    callbacks.MY_OPEN: _my_open,
    callbacks.MY_ADD: _my_add,
    callbacks.MY_WITHDRAW: _my_withdraw,
    callbacks.MY_URGE: _my_urge,
    callbacks.MY_RATE: _my_rate,
    callbacks.ERASE: _erase,
    callbacks.DRAFT: _draft,
    callbacks.SIMILAR: _similar,
    callbacks.FOLLOW: _follow,
}


async def _update_pressed(query: CallbackQuery, outcome: Outcome,
                          traditional: bool = False) -> None:
    if outcome.edit is not None:
        edit = render.reply(outcome.edit)
        edit = render.in_traditional(edit) if traditional else edit
        await query.edit_message_text(edit.text, parse_mode=ParseMode.HTML,
                                      reply_markup=inline_markup(edit.buttons),
                                      disable_web_page_preview=True)
    elif outcome.buttons is not None:
        await query.edit_message_reply_markup(inline_markup(
            texts.localise_buttons(outcome.buttons, traditional)))


async def on_button(update: Update, context: AppContext) -> None:
    """Any inline button, in a private chat or a department's group."""
    query = update.callback_query
    assert query is not None
    parsed = callbacks.parse(query.data)
    if parsed is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    user, message = query.from_user, query.message
    card = (message.chat.id, message.message_id) if message is not None else None
    press = Press(user.id, user.full_name, parsed, card)
    # in their own chat, someone whose Telegram is in Traditional reads it (not in a group)
    traditional = card is not None and card[0] == user.id \
        and reads_traditional(user.language_code)
    try:
        outcome = await USE_CASES[parsed.action](context.svc, press)
    except DomainError as exc:
        if isinstance(exc, WrongState) and not isinstance(exc, SurveyClosed):
            await _show_current_card(context.svc, query, press)
        await query.answer(clip_utf16(error_text(exc), CALLBACK_ANSWER), show_alert=True)
        return
    with suppress(BadRequest):   # a message too old to edit: the replies below still tell
        await _update_pressed(query, outcome, traditional)
    try:   # follow-ups go to the presser's own chat, even for a button pressed in a group
        replies = render.replies(outcome.replies)
        await send_replies(context.bot, user.id, [render.in_traditional(r) for r in replies]
                           if traditional else replies, context.svc)
    except Forbidden:   # the question was never shown: nothing typed later answers it
        await dialogs.drop_question(context.svc, user_id=user.id)
        await query.answer(texts.OPEN_PRIVATE_CHAT, show_alert=True)
        return
    await query.answer(clip_utf16(outcome.notice, CALLBACK_ANSWER) if outcome.notice else None)


async def _show_current_card(svc: Services, query: CallbackQuery, press: Press) -> None:
    """A staff button on a card whose task moved on: the card now shows the current state
    and the buttons that apply (residents' and malformed presses keep their message)."""
    if not press.callback.args or not NUMBER.fullmatch(press.callback.args[0]):
        return
    try:
        current = await desk_services.open_card(svc, actor_id=press.user, number=press.number)
    except DomainError:
        return
    with suppress(BadRequest):   # too old to edit, or already showing it
        await _update_pressed(query, Outcome(edit=desk_render.card(svc.config, current)))
