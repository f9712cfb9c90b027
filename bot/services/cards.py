"""The copies of a request's card: whose chat each is in, how it reads there now, and the
edits that bring every copy to the request's current state when it moves.

A card goes to several chats (the department's group and its assignees, the office's
dispatchers, a co-handling department); each sent copy is recorded (`card_messages`, by the
outbox worker, or by the handler that sent it as a reply). When the request changes state
(or shows otherwise: `REFRESH_EVENTS` in bot/notify/policy.py), every copy but the one the
presser's own handler updates gets an outbox edit row, unless it shows that already: the
card as that chat's reader sees it now, with the buttons that reader may press (or none), so
no stale copy keeps live buttons.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.rules import Actor, allowed_actions, group_viewer
from bot.domain.views import Card, HistoryItem
from bot.notify import desk as desk_render
from bot.notify.replies import Reply, buttons_to_json
from bot.services.core import Services
from bot.services.ledger import actor_of, view_of
from storage import queries
from storage.models import OutboxMessage, Request

DESK_CARD = "desk_card"   # a card sent as a direct reply (/find, opened from a list)


def department_group(configured: int | None,
                     override: tuple[int, int | None] | None) -> int | None:
    """The group chat to use: the override (chat, the chat it replaced) while the config
    still names the chat it replaced (an admin who sets another chat wins), else the
    config's."""
    if override is not None and (configured is None or override[1] == configured):
        return override[0]
    return configured


async def group_department(session: AsyncSession, config: Config, chat_id: int) -> str | None:
    """The department whose group chat `chat_id` is (the database's override first)."""
    overrides = await queries.department_chat_overrides(session)
    for unit in config.departments:
        if department_group(unit.chat_id, overrides.get(unit.code)) == chat_id:
            return unit.code
    return None


async def card_as_seen(session: AsyncSession, actor: Actor | None, req: Request, *,
                       history: tuple[HistoryItem, ...] = (), in_group: bool = False) -> Card:
    """`req` as `actor` sees it now: the actions the rules allow them (none for None), the
    contact in full only for whoever accepted it in their own chat (never in a group), and
    that person's name."""
    member = (await queries.staff_member(session, req.assignee_id)
              if req.assignee_id is not None else None)
    actions = allowed_actions(actor, req) if actor is not None else frozenset()
    reveal = not in_group and actor is not None and req.assignee_id == actor.id
    return Card(view_of(req), actions, reveal, history,
                acceptor=member.name if member is not None else None)


async def reader_of(session: AsyncSession, config: Config, chat_id: int,
                    req: Request) -> Actor | None:
    """Who reads a card in `chat_id`: the staff member of a private chat (anyone else is a
    resident), a department's group as that department's holder of the task, None for a
    group that is no department's."""
    if chat_id > 0:
        return await actor_of(session, chat_id)
    department = await group_department(session, config, chat_id)
    return group_viewer(department, req) if department is not None else None


async def current_card(session: AsyncSession, config: Config, chat_id: int,
                       req: Request) -> Reply:
    """The card a copy in `chat_id` should show now."""
    actor = await reader_of(session, config, chat_id, req)
    return desk_render.card(config, await card_as_seen(session, actor, req,
                                                       in_group=chat_id < 0))


def _edit(session: AsyncSession, req: Request, chat_id: int, message_id: int, card: Reply,
          at: datetime) -> str:
    """Queue the edit of a copy to `card`; returns the digest of what it will show."""
    buttons = buttons_to_json(card.buttons)
    queries.add_outbox(session, chat_id=chat_id, kind="card_edit", at=at, text=card.text,
                       buttons=buttons, request_id=req.id, edit_message_id=message_id)
    return queries.card_digest(card.text, buttons)


async def refresh_copies(session: AsyncSession, config: Config, req: Request, *,
                         spare: Collection[tuple[int, int]], at: datetime) -> int:
    """After `req` moved: an edit row for every recorded copy of its card that does not show
    the current card already, except those in `spare` (chat id, message id: the pressed
    card, which its handler updates), and the cards still waiting in the outbox rewritten to
    the current state. Returns how many edits were queued."""
    edits = 0
    for copy in await queries.card_copies(session, req.id):
        if (copy.chat_id, copy.message_id) in spare:
            queries.mark_shown(copy, None)
            continue
        card = await current_card(session, config, copy.chat_id, req)
        if queries.card_digest(card.text, buttons_to_json(card.buttons)) == copy.shown:
            continue
        queries.mark_shown(copy, _edit(session, req, copy.chat_id, copy.message_id, card, at))
        edits += 1
    for row in await queries.pending_cards(session, req.id):
        card = await current_card(session, config, row.chat_id, req)
        row.text, row.buttons = card.text, buttons_to_json(card.buttons) or None
    return edits


async def keep_copies(svc: Services, shown: Sequence[tuple[Reply, int, int]]) -> None:
    """Cards a handler sent as direct replies (the reply, with `card_of`; chat id; message
    id): /find, a card opened from a list. They are copies too, edited as their request
    moves. The request is locked meanwhile: a move (another person's 接单 a moment after the
    /find) either committed before, and the copy, which it could not edit, is edited now, or
    waits and then finds the copy to edit."""
    async with svc.uow() as uow:
        for reply, chat_id, message_id in shown:
            req = await queries.request_for_update(uow.session, reply.card_of or "")
            if req is None:
                continue
            digest = queries.card_digest(reply.text, buttons_to_json(reply.buttons))
            current = await current_card(uow.session, svc.config, chat_id, req)
            if (current.card_base, current.buttons) != (reply.card_base, reply.buttons):
                digest = _edit(uow.session, req, chat_id, message_id, current, svc.now())
            queries.add_card_copy(uow.session, request_id=req.id, chat_id=chat_id,
                                  message_id=message_id, kind=DESK_CARD, now=svc.now(),
                                  shown=digest)
        await uow.commit()


async def card_sent(svc: Services, row: OutboxMessage, message_id: int) -> bool:
    """Outbox card `row` went out as `message_id`: if the request moved while it was on its
    way (its buttons are no longer those its reader may press), an edit follows at once.
    Returns whether one was queued."""
    if row.request_id is None:
        return False
    async with svc.uow() as uow:
        req = await uow.session.get(Request, row.request_id)
        if req is None:
            return False
        card = await current_card(uow.session, svc.config, row.chat_id, req)
        if buttons_to_json(card.buttons) == (row.buttons or []):
            return False
        shown = _edit(uow.session, req, row.chat_id, message_id, card, svc.now())
        for copy in await queries.card_copies(uow.session, req.id):
            if (copy.chat_id, copy.message_id) == (row.chat_id, message_id):
                queries.mark_shown(copy, shown)
        await uow.commit()
    return True
