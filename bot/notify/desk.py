"""The staff's desk and the office's figures rendered: lists, a request's card with the
buttons its viewer may press, its history, the daily digest and today's figures."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bot.config import Config
from bot.domain.figures import Figures
from bot.domain.model import Status
from bot.domain.views import Card, HistoryItem, Page, RequestView
from bot.notify import callbacks, texts
from bot.notify.render import (
    co_buttons,
    department_name,
    extension_buttons,
    local_time,
    restricted_buttons,
    rows_of,
    shorten,
    task_buttons,
    task_card,
    triage_buttons,
    triage_card,
)
from bot.notify.replies import Buttons, Reply
from bot.notify.texts import Html, fmt

MESSAGE_CHARS = 3500   # under Telegram's 4096 UTF-16 units with room for emoji and markup


def digest(config: Config, *, scope: str, day: str, figures: Figures,
           overdue: list[RequestView]) -> list[Html]:
    """The daily digest: the figures, then the overdue list, split into messages that each
    stay within Telegram's 4096 limit."""
    lines = [fmt(texts.DIGEST_HEADER, scope=scope, day=day),
             fmt(texts.DIGEST_FIGURES, **dataclasses.asdict(figures)), Html("")]
    if overdue:
        lines.append(fmt(texts.DIGEST_OVERDUE_HEADER, count=len(overdue)))
        lines += [fmt(texts.DIGEST_OVERDUE_ITEM, number=r.number,
                      department=department_name(config, r.department),
                      due=local_time(r.answer_due_at, config.tz),
                      summary=shorten(r.description, 20)) for r in overdue]
    else:
        lines.append(Html(texts.DIGEST_NO_OVERDUE))
    messages: list[list[str]] = [[]]
    for line in lines:
        if sum(len(x) + 1 for x in messages[-1]) + len(line) > MESSAGE_CHARS:
            messages.append([])
        messages[-1].append(line)
    return [Html("\n".join(m)) for m in messages]


def request_list(config: Config, page: Page) -> Reply:
    """A page of requests: a line each, a button each to open its card, 上一页/下一页."""
    title = texts.LIST_TITLES[page.kind]
    if not page.items:
        return Reply(fmt(texts.LIST_EMPTY, title=title))
    start = page.first
    lines = [fmt(texts.LIST_HEADER, title=title, total=page.total, page=page.page + 1,
                 pages=page.pages)]
    lines += [fmt(texts.LIST_ITEM, index=start + i, number=r.number,
                  status=texts.STATUS_LABELS[r.status],
                  due=local_time(r.answer_due_at, config.tz), summary=shorten(r.description))
              for i, r in enumerate(page.items)]
    opens = [(texts.BTN_OPEN.format(index=start + i, number=r.number),
              callbacks.encode(callbacks.OPEN, r.number)) for i, r in enumerate(page.items)]
    nav = [(label, callbacks.encode(callbacks.LIST, page.kind, str(target)))
           for label, target in ((texts.BTN_PREVIOUS, page.page - 1),
                                 (texts.BTN_NEXT, page.page + 1))
           if 0 <= target < page.pages]
    rows = rows_of(opens, 1)
    return Reply(Html("\n".join(lines)), (*rows, tuple(nav)) if nav else rows)


def _action_buttons(card: Card) -> Buttons:
    """The buttons of the actions the rules allow the viewer now, in the card's order."""
    number, can = card.request.number, card.actions
    rows: list[tuple[tuple[str, str], ...]] = []
    if {"accept", "return"} <= can:
        rows += task_buttons(number, Status.DISPATCHED)
    if {"resolve", "progress", "extend", "restrict"} <= can:
        rows += task_buttons(number, Status.IN_PROGRESS)
    if "decide_extension" in can and card.request.extension:
        rows += extension_buttons(number)
    if {"resume", "close_restricted"} <= can:
        rows += restricted_buttons(number)
    if "co_note" in can:
        rows += co_buttons(number)
    if "add_co_handler" in can:
        rows.append(((texts.BTN_ADD_CO, callbacks.encode(callbacks.CO_MENU, number)),))
    return tuple(rows)


def _history(config: Config, items: tuple[HistoryItem, ...]) -> str:
    lines = [fmt(texts.HISTORY_ITEM, at=local_time(i.at, config.tz),
                 what=texts.EVENT_LABELS.get(i.kind, i.kind)) for i in items]
    return texts.HISTORY_HEADER + "\n" + "\n".join(lines) if lines else ""


def card(config: Config, card: Card) -> Reply:
    """A request's card for a staff member: the triage card while it waits for the office,
    else the task card in its current state; the buttons the viewer may press now."""
    req = card.request
    if "route" in card.actions:
        text = triage_card(config, req)
        buttons = triage_buttons(config, req)
    else:
        text = task_card(config, req, title=texts.STATUS_LABELS[req.status],
                         reveal_contact=card.reveal)
        if card.acceptor and req.status == Status.IN_PROGRESS:
            text = Html(text + fmt(texts.ACCEPTED_BY, name=card.acceptor,
                                   answer_due=local_time(req.answer_due_at, config.tz)))
        buttons = _action_buttons(card)
    return Reply(Html(text + _history(config, card.history)), buttons, card_of=req.number,
                 card_base=text)


def today(config: Config, numbers: Figures, now: datetime) -> Reply:
    """/stats today for the office."""
    return Reply(Html(fmt(texts.STATS_TODAY, now=local_time(now, config.tz))
                      + fmt(texts.DIGEST_FIGURES, **dataclasses.asdict(numbers))))
