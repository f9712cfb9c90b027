"""Cards, lists and keyboards rendered from requests; all text comes from bot.texts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.domain.figures import Figures
from bot.domain.model import Rating, Status
from bot.domain.views import RequestView
from bot.notify import callbacks, texts
from bot.notify.replies import Buttons, Reply, Say
from bot.notify.texts import Html, fmt

SUMMARY_CHARS = 40


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return texts.NOT_GIVEN
    local = moment.astimezone(tz)
    return texts.LOCAL_TIME.format(month=local.month, day=local.day, time=f"{local:%H:%M}")


def department_name(config: Config, code: str | None) -> str:
    department = config.department(code) if code else None
    return department.name if department else texts.NOT_GIVEN


def category_name(config: Config, code: str | None) -> str:
    category = config.category(code) if code else None
    return category.name if category else texts.NOT_GIVEN


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 7, 1) + phone[-4:] if len(phone) > 7 else "****"


def place(req: RequestView) -> str:
    """The address as written, or the shared position (sent as a map after the card)."""
    if req.address:
        return req.address
    if req.latitude is not None and req.longitude is not None:
        return texts.LOCATION_ADDRESS.format(latitude=req.latitude, longitude=req.longitude)
    return texts.NOT_GIVEN


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def _contact(req: RequestView, reveal: bool) -> str:
    """Name and phone in full only for whoever accepted the task."""
    phone = req.phone if reveal or not req.phone else mask_phone(req.phone)
    name = req.resident_name if reveal or not req.resident_name else mask_name(req.resident_name)
    parts = [p for p in (name, phone) if p]
    return " ".join(parts) or texts.NOT_GIVEN


def _matched(req: RequestView) -> str:
    return "、".join(req.routing.get("matched", [])) or texts.NONE_MATCHED


def task_card(config: Config, req: RequestView, *, title: str, reason: str | None = None,
              reveal_contact: bool = False) -> Html:
    """The card an assignee works from; the phone shows in full only to whoever accepted."""
    card = fmt(
        texts.TASK_CARD,
        urgent=Html(texts.URGENT_MARK if req.urgent else ""),
        title=title, number=req.number, category=category_name(config, req.category),
        description=req.description, address=place(req),
        contact=_contact(req, reveal_contact), matched=_matched(req),
        accept_due=local_time(req.accept_due_at, config.tz),
        answer_due=local_time(req.answer_due_at, config.tz),
    )
    return Html(card + fmt(texts.REOPEN_REASON_LINE, reason=reason)) if reason else card


def accepted_card(config: Config, req: RequestView, *, acceptor: str, reveal: bool) -> Reply:
    """The card after 接单, with 办结; the contact in full only where `reveal`."""
    note = fmt(texts.ACCEPTED_BY, name=acceptor,
               answer_due=local_time(req.answer_due_at, config.tz))
    card = task_card(config, req, title=texts.TITLE_NEW_TASK, reveal_contact=reveal)
    return Reply(Html(card + note), task_buttons(req.number, Status.IN_PROGRESS))


def routed_card(config: Config, req: RequestView) -> Reply:
    """The dispatcher's triage card once routed: where it went, no buttons left."""
    done = fmt(texts.ROUTED_TO, department=department_name(config, req.department))
    return Reply(Html(triage_card(config, req) + done))


def task_buttons(number: str, status: Status) -> Buttons:
    if status == Status.DISPATCHED:
        return (((texts.BTN_ACCEPT, callbacks.encode(callbacks.ACCEPT, number)),
                 (texts.BTN_RETURN, callbacks.encode(callbacks.RETURN, number))),)
    if status == Status.IN_PROGRESS:
        return (((texts.BTN_RESOLVE, callbacks.encode(callbacks.RESOLVE, number)),),)
    return ()


def _candidate_names(config: Config, req: RequestView) -> str:
    names = [fmt(texts.CANDIDATE, name=category_name(config, c["category"]),
                 score=f"{c['score']:.1f}") for c in req.routing.get("candidates", [])]
    return "、".join(names) or texts.NONE_MATCHED


def triage_card(config: Config, req: RequestView, *,
                returned: tuple[str, str] | None = None,
                released: tuple[str, str] | None = None) -> Html:
    """The dispatcher's card; `returned` is (department, reason) after a 退单, `released`
    the same after the department's last assignee left."""
    reason = fmt(texts.TRIAGE_RETURNED, department=department_name(config, returned[0]),
                 reason=returned[1]) if returned else Html("")
    if released:
        reason = fmt(texts.TRIAGE_RELEASED, department=department_name(config, released[0]),
                     reason=released[1])
    return fmt(texts.TRIAGE_CARD, urgent=Html(texts.URGENT_MARK if req.urgent else ""),
               number=req.number, description=req.description,
               address=place(req),
               candidates=Html(_candidate_names(config, req)), matched=_matched(req),
               reason=reason)


def _route_buttons(config: Config, req: RequestView, category_code: str) -> list[tuple[str, str]]:
    """One button per way to route to this category (a territorial one needs an area)."""
    category = config.category(category_code)
    if category is None:
        return []
    if not category.territorial:
        label = f"{category.name}·{department_name(config, category.department)}"
        return [(label, callbacks.encode(callbacks.ROUTE, req.number, category.code))]
    areas = [a for a in config.areas if req.area in (None, a.code)]
    return [(f"{category.name}·{a.name}",
             callbacks.encode(callbacks.ROUTE, req.number, category.code, a.code))
            for a in areas]


def _rows(buttons: list[tuple[str, str]], per_row: int = 2) -> Buttons:
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


def triage_buttons(config: Config, req: RequestView, *, everything: bool = False) -> Buttons:
    """The top candidates and a 全部类别 button, or (`everything`) every category."""
    if everything:
        codes = [c.code for c in config.categories]
    else:
        codes = [c["category"] for c in req.routing.get("candidates", [])][:3]
    buttons = [b for code in codes for b in _route_buttons(config, req, code)]
    rows = _rows(buttons)
    if not everything:
        rows += (((texts.BTN_ALL_CATEGORIES,
                   callbacks.encode(callbacks.TRIAGE_ALL, req.number)),),)
    return rows


def urgent_notice(req: RequestView) -> Html:
    return fmt(texts.URGENT_OFFICE_NOTICE, number=req.number,
               words="、".join(req.routing.get("urgent_words", [])),
               description=req.description, address=place(req))


def survey_buttons(number: str, action: str = callbacks.RATE) -> Buttons:
    """满意 / 基本满意 / 不满意, for the survey (回访) or, with SPOT, a spot check (抽访)."""
    return (tuple((texts.RATING_LABELS[r], callbacks.encode(action, number, r.value))
                  for r in Rating),)


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


def my_requests(views: list[RequestView]) -> tuple[Html, Buttons]:
    if not views:
        return fmt(texts.MY_EMPTY), ()
    items = [fmt(texts.MY_ITEM, number=v.number, status=texts.STATUS_LABELS[v.status],
                 summary=shorten(v.description)) for v in views]
    text = Html("\n\n".join([fmt(texts.MY_HEADER, count=len(views)), *items]))
    buttons = tuple(((texts.BTN_WITHDRAW.format(number=v.number),
                      callbacks.encode(callbacks.WITHDRAW, v.number)),)
                    for v in views if v.status in (Status.TRIAGE, Status.DISPATCHED))
    return text, buttons


def _value(value: object) -> object:
    return Html(reply(value).text) if isinstance(value, Say) else value


def reply(message: Reply | Say) -> Reply:
    """A use case's `Say` rendered: values escaped, Traditional where the person reads it."""
    if isinstance(message, Reply):
        return message
    values = {k: _value(v) for k, v in message.values.items()}
    text = fmt(message.template, **values) if values else message.template
    return Reply(texts.localise(text, message.traditional),
                 texts.localise_buttons(message.buttons, message.traditional), message.keyboard)


def replies(messages: Iterable[Reply | Say]) -> list[Reply]:
    return [reply(m) for m in messages]
