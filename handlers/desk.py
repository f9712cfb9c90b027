"""The staff's desk commands: /tasks, /triage, /overdue, /find, /stats."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.domain.errors import DomainError, NotAllowed
from bot.domain.views import Page
from bot.notify import desk, texts
from bot.notify.replies import Reply
from bot.services import Services
from bot.services import desk as desk_services
from handlers.common import error_text, show
from handlers.context import AppContext

Lister = Callable[..., Awaitable[Page]]
LISTS: dict[str, Lister] = {
    "tasks": desk_services.my_tasks,
    "triage": desk_services.triage_list,
    "overdue": desk_services.overdue_list,
}


async def _reply(update: Update, work: Callable[[], Awaitable[Reply]],
                 svc: Services | None = None) -> None:
    """Show what `work` renders, or a refusal in words (a resident gets ONLY_STAFF); with
    `svc`, a request's card is kept as a copy."""
    try:
        reply = await work()
    except NotAllowed:
        reply = Reply(texts.ONLY_STAFF)
    except DomainError as exc:
        reply = Reply(texts.fmt("{error}", error=error_text(exc)))
    await show(update, [reply], svc)


async def list_page(svc: Services, kind: str, user_id: int, page: int = 0) -> Reply:
    """One page of a desk list, rendered (also what the 上一页/下一页 buttons show)."""
    return desk.request_list(svc.config, await LISTS[kind](svc, actor_id=user_id, page=page))


def _list_command(kind: str) -> Callable[[Update, AppContext], Awaitable[None]]:
    async def on_list(update: Update, context: AppContext) -> None:
        assert update.effective_user is not None
        user_id = update.effective_user.id
        await _reply(update, lambda: list_page(context.svc, kind, user_id))
    on_list.__doc__ = f"/{kind}: the first page of the {kind} list."
    return on_list


on_tasks, on_triage, on_overdue = (_list_command(k) for k in ("tasks", "triage", "overdue"))


async def on_find(update: Update, context: AppContext) -> None:
    """/find 20261201-0007: any request by number, with its history, for the office."""
    assert update.effective_user is not None
    args = context.args or []
    if len(args) != 1:
        await show(update, [Reply(texts.FIND_USAGE)])
        return
    user_id, svc = update.effective_user.id, context.svc

    async def found() -> Reply:
        card = await desk_services.open_card(svc, actor_id=user_id, number=args[0],
                                             with_history=True)
        return desk.card(svc.config, card)
    await _reply(update, found, svc)


async def on_stats(update: Update, context: AppContext) -> None:
    """/stats today: the office's figures since midnight."""
    assert update.effective_user is not None
    user_id, svc = update.effective_user.id, context.svc

    async def figures() -> Reply:
        numbers = await desk_services.today_figures(svc, actor_id=user_id)
        return desk.today(svc.config, numbers, svc.now())
    await _reply(update, figures)
