"""Cards, lists and keyboards rendered from requests; all text comes from bot.texts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.domain.model import Rating, Status
from bot.domain.views import Card, Page, RequestView
from bot.limits import MESSAGE_TEXT, clip_utf16, split_utf16, utf16_len
from bot.notify import callbacks, texts
from bot.notify.replies import Buttons, Reply, Say
from bot.notify.texts import Html, fmt

SUMMARY_CHARS = 40
CARD_DESCRIPTION = 1500   # UTF-16 units of a description on a card: with the other fields
#                           and a 500-character reason, a card stays within Telegram's 4096
MY_HISTORY = 20   # the latest steps a resident's detail view lists (within 4096 units)
FULL_TEXT_PIECE = MESSAGE_TEXT - 200   # room for the piece's header


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


def card_description(description: str) -> Html:
    """A description as a card shows it: whole when it fits `CARD_DESCRIPTION` (UTF-16
    units, as Telegram counts), else its beginning and a note that the full text follows."""
    if utf16_len(description) <= CARD_DESCRIPTION:
        return fmt("{d}", d=description)
    return fmt(texts.DESCRIPTION_CLIPPED, start=clip_utf16(description, CARD_DESCRIPTION),
               count=len(description))


def full_text(req: RequestView) -> tuple[Html, ...]:
    """The messages that follow a card whose description was clipped: the whole description
    in pieces within Telegram's 4096 units each (none when the card shows it whole)."""
    return full_pieces(req.number, req.description)


def full_pieces(number: str, text: str) -> tuple[Html, ...]:
    """`text` after a card that clipped it (`card_description`), in messages within 4096."""
    if utf16_len(text) <= CARD_DESCRIPTION:
        return ()
    pieces = split_utf16(text, FULL_TEXT_PIECE)
    return tuple(fmt(texts.FULL_TEXT, number=number, part=i, parts=len(pieces), text=p)
                 for i, p in enumerate(pieces, 1))


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 7, 1) + phone[-4:] if len(phone) > 7 else "****"


def place(req: RequestView) -> str:
    """The address as written, or the shared position (sent as a map after the card)."""
    if req.address:
        return req.address
    if req.latitude is not None and req.longitude is not None:
        return texts.LOCATION_ADDRESS.format(latitude=req.latitude, longitude=req.longitude)
    return texts.BTN_NO_PLACE   # the address step takes a place or 不涉及具体地点


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def _contact(req: RequestView, reveal: bool) -> str:
    """Name and phone in full only for whoever accepted the task."""
    phone = req.phone if reveal or not req.phone else mask_phone(req.phone)
    name = req.resident_name if reveal or not req.resident_name else mask_name(req.resident_name)
    parts = [p for p in (name, phone) if p]
    if req.proxy and parts:
        parts.append(texts.PROXY_MARK)
    return " ".join(parts) or texts.NOT_GIVEN


def _matched(req: RequestView) -> str:
    return "、".join(req.routing.get("matched", [])) or texts.NONE_MATCHED


def affected(req: RequestView) -> Html:
    """涉及居民：N 人, once other residents joined the request (+1); nothing before."""
    return fmt(texts.AFFECTED_LINE, count=req.joined + 1) if req.joined else Html("")


def task_card(config: Config, req: RequestView, *, title: str, reason: str | None = None,
              reveal_contact: bool = False) -> Html:
    """The card an assignee works from; the phone shows in full only to whoever accepted."""
    card = fmt(
        texts.TASK_CARD,
        urgent=Html(texts.URGENT_MARK if req.urgent else ""),
        title=title, number=req.number, category=category_name(config, req.category),
        description=card_description(req.description), address=place(req),
        contact=_contact(req, reveal_contact), matched=_matched(req),
        accept_due=local_time(req.accept_due_at, config.tz),
        answer_due=local_time(req.answer_due_at, config.tz),
    )
    card = Html(card + affected(req))
    return Html(card + fmt(texts.REOPEN_REASON_LINE, reason=reason)) if reason else card


def accepted_card(config: Config, req: RequestView, *, acceptor: str, reveal: bool) -> Reply:
    """The card after 接单, with 办结; the contact in full only where `reveal`."""
    note = fmt(texts.ACCEPTED_BY, name=acceptor,
               answer_due=local_time(req.answer_due_at, config.tz))
    card = task_card(config, req, title=texts.TITLE_NEW_TASK, reveal_contact=reveal)
    return Reply(Html(card + note), task_buttons(req.number, Status.IN_PROGRESS))


def routed_card(config: Config, req: RequestView) -> Reply:
    """The dispatcher's triage card once routed: where it went (主办, and any 协办), and a
    button to add co-handling departments."""
    done = fmt(texts.ROUTED_TO, department=department_name(config, req.department))
    if req.co_departments:
        done = Html(done + fmt(texts.CO_HANDLERS_LINE, departments="、".join(
            department_name(config, code) for code in req.co_departments)))
    menu = ((texts.BTN_ADD_CO, callbacks.encode(callbacks.CO_MENU, req.number)),)
    return Reply(Html(triage_card(config, req) + done), (menu,))


def task_buttons(number: str, status: Status) -> Buttons:
    if status == Status.DISPATCHED:
        return (((texts.BTN_ACCEPT, callbacks.encode(callbacks.ACCEPT, number)),
                 (texts.BTN_RETURN, callbacks.encode(callbacks.RETURN, number))),)
    if status == Status.IN_PROGRESS:
        return (((texts.BTN_RESOLVE, callbacks.encode(callbacks.RESOLVE, number)),
                 (texts.BTN_PROGRESS, callbacks.encode(callbacks.PROGRESS, number))),
                ((texts.BTN_EXTEND, callbacks.encode(callbacks.EXTEND, number)),
                 (texts.BTN_RESTRICT, callbacks.encode(callbacks.RESTRICT, number))))
    return ()


def extension_buttons(number: str) -> Buttons:
    return (((texts.BTN_APPROVE, callbacks.encode(callbacks.DECIDE_EXTENSION, number, "yes")),
             (texts.BTN_REFUSE, callbacks.encode(callbacks.DECIDE_EXTENSION, number, "no"))),)


def restricted_buttons(number: str) -> Buttons:
    return (((texts.BTN_RESUME, callbacks.encode(callbacks.RESUME, number)),
             (texts.BTN_CLOSE_RESTRICTED, callbacks.encode(callbacks.CLOSE_RESTRICTED, number))),)


def co_buttons(number: str) -> Buttons:
    return (((texts.BTN_CO_NOTE, callbacks.encode(callbacks.CO_NOTE, number)),),)


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
    if req.flag:   # filed while its resident was blocked
        reason = Html(fmt(texts.TRIAGE_FLAGGED, reason=req.flag) + reason)
    return fmt(texts.TRIAGE_CARD, urgent=Html(texts.URGENT_MARK if req.urgent else ""),
               number=req.number, description=card_description(req.description),
               address=Html(fmt("{a}", a=place(req)) + affected(req)),
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


def rows_of(buttons: list[tuple[str, str]], per_row: int = 2) -> Buttons:
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


PAGE_BUTTONS = 40   # Telegram refuses a keyboard of more than 100 buttons


def _page(buttons: list[tuple[str, str]], page: int, action: str, number: str) -> Buttons:
    """One page of `buttons` (two a row) with 上一页/下一页 buttons that press `action`."""
    pages = max(1, -(-len(buttons) // PAGE_BUTTONS))
    page = min(max(page, 0), pages - 1)
    rows = rows_of(buttons[page * PAGE_BUTTONS:(page + 1) * PAGE_BUTTONS])
    nav = [(label, callbacks.encode(action, number, str(target)))
           for label, target in ((texts.BTN_PREVIOUS, page - 1), (texts.BTN_NEXT, page + 1))
           if 0 <= target < pages]
    return (*rows, tuple(nav)) if nav else rows


def triage_buttons(config: Config, req: RequestView, *, everything: bool = False,
                   page: int = 0) -> Buttons:
    """The top candidates and a 全部类别 button, or (`everything`) every category, a page at a
    time."""
    if everything:
        codes = [c.code for c in config.categories]
        buttons = [b for code in codes for b in _route_buttons(config, req, code)]
        return _page(buttons, page, callbacks.TRIAGE_ALL, req.number)
    codes = [c["category"] for c in req.routing.get("candidates", [])][:3]
    buttons = [b for code in codes for b in _route_buttons(config, req, code)]
    return (*rows_of(buttons), ((texts.BTN_ALL_CATEGORIES,
                               callbacks.encode(callbacks.TRIAGE_ALL, req.number)),))


def co_handler_buttons(config: Config, req: RequestView, *, page: int = 0) -> Buttons:
    """Every department that may yet co-handle (协办) the task, a page at a time."""
    buttons = [(d.name, callbacks.encode(callbacks.CO_ADD, req.number, d.code))
               for d in config.departments
               if d.code != req.department and d.code not in req.co_departments]
    return _page(buttons, page, callbacks.CO_MENU, req.number)


def urgent_notice(req: RequestView) -> Html:
    return fmt(texts.URGENT_OFFICE_NOTICE, number=req.number,
               words="、".join(req.routing.get("urgent_words", [])),
               description=card_description(req.description), address=place(req))


def survey_buttons(number: str, action: str = callbacks.RATE) -> Buttons:
    """满意 / 基本满意 / 不满意, for the survey (回访) or, with SPOT, a spot check (抽访)."""
    return (tuple((texts.RATING_LABELS[r], callbacks.encode(action, number, r.value))
                  for r in Rating),)


def my_requests(page: Page) -> tuple[Html, Buttons]:
    """/my: a page of the resident's requests, one button each to open it, and 上一页/下一页."""
    if not page.items:
        return fmt(texts.MY_EMPTY), ()
    items = [fmt(texts.MY_ITEM, number=v.number, status=Html(
                 fmt("{s}", s=texts.STATUS_LABELS[v.status])
                 + (texts.MY_FOLLOWED_MARK if v.number in page.followed else "")),
                 summary=shorten(v.description)) for v in page.items]
    header = fmt(texts.MY_HEADER, total=page.total, page=page.page + 1, pages=page.pages)
    text = Html("\n\n".join([header, *items]))
    opens = tuple(((texts.BTN_OPEN_MINE.format(number=v.number,
                                                status=texts.STATUS_LABELS[v.status]),
                    callbacks.encode(callbacks.MY_OPEN, v.number)),) for v in page.items)
    nav = tuple((label, callbacks.encode(callbacks.MY_PAGE, str(target)))
                for label, target in ((texts.BTN_PREVIOUS, page.page - 1),
                                      (texts.BTN_NEXT, page.page + 1))
                if 0 <= target < page.pages)
    return text, (*opens, nav) if nav else opens


_MY_BUTTONS = (("add_info", texts.BTN_ADD_INFO, callbacks.MY_ADD),
               ("urge", texts.BTN_URGE, callbacks.MY_URGE),
               ("rate", texts.BTN_RATE_AGAIN, callbacks.MY_RATE),
               ("withdraw", texts.BTN_WITHDRAW_ONE, callbacks.MY_WITHDRAW))


def my_detail(config: Config, card: Card) -> Reply:
    """One request as its resident sees it: status, who handles it (the department, never a
    person), the deadline, its history in plain words, and the buttons that apply now."""
    req = card.request
    labels = texts.FOLLOWER_EVENT_LABELS if card.followed else texts.RESIDENT_EVENT_LABELS
    shown = [h for h in card.history if h.kind in labels]
    history = "\n".join(fmt(texts.MY_HISTORY_ITEM, at=local_time(h.at, config.tz),
                              what=labels[h.kind])
                         for h in shown[-MY_HISTORY:])
    department = (department_name(config, req.department) if req.department
                  else texts.MY_NO_DEPARTMENT)
    status = texts.STATUS_LABELS[req.status] + (texts.MY_FOLLOWED_MARK if card.followed else "")
    text = fmt(texts.MY_DETAIL, number=req.number, status=status,
               description=shorten(req.description) if card.followed
               else card_description(req.description),
               address=texts.FOLLOWED_PLACE if card.followed else place(req),
               department=department, due=local_time(req.answer_due_at, config.tz),
               history=Html(history))
    actions = [(label, callbacks.encode(action, req.number))
               for key, label, action in _MY_BUTTONS if key in card.actions]
    back = ((texts.BTN_BACK_TO_LIST, callbacks.encode(callbacks.MY_PAGE, "0")),)
    return Reply(texts.localise(text, req.traditional),
                 texts.localise_buttons((*rows_of(actions), back), req.traditional))


def withdraw_confirmation(number: str) -> Buttons:
    return (((texts.BTN_CONFIRM_WITHDRAW, callbacks.encode(callbacks.WITHDRAW, number)),
             (texts.BTN_KEEP, callbacks.encode(callbacks.MY_OPEN, number))),)


def erase_confirmation() -> Buttons:
    return (((texts.BTN_ERASE_YES, callbacks.encode(callbacks.ERASE, "yes")),
             (texts.BTN_ERASE_NO, callbacks.encode(callbacks.ERASE, "no"))),)


def _value(value: object) -> object:
    return Html(reply(value).text) if isinstance(value, Say) else value


def reply(message: Reply | Say) -> Reply:
    """A use case's `Say` rendered: values escaped, Traditional where the person reads it."""
    if isinstance(message, Reply):
        return message
    values = {k: _value(v) for k, v in message.values.items()}
    text = fmt(message.template, **values) if values else message.template
    return Reply(texts.localise(text, message.traditional),
                 texts.localise_buttons(message.buttons, message.traditional), message.keyboard,
                 message.traditional)


def in_traditional(message: Reply) -> Reply:
    """A rendered reply for someone who reads Traditional Chinese: text, buttons and reply
    keyboard converted (a reply already converted is unchanged)."""
    return Reply(texts.localise(message.text, True), texts.localise_buttons(message.buttons, True),
                 message.keyboard, True)


def replies(messages: Iterable[Reply | Say]) -> list[Reply]:
    return [reply(m) for m in messages]

