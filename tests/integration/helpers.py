"""Driving the domain as the handlers do, and reading what the database holds."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain.model import Rating
from bot.notify import render
from bot.notify.replies import Outcome, Reply
from bot.services import Services, dialogs, report, residents, tasks
from bot.services.incoming import Incoming, Kind
from storage.models import Event, OutboxMessage, Request

RESIDENT = 5001
ASSIGNEE = 1001          # 王师傅, municipal
OTHER_ASSIGNEE = 1002    # 李工, water
DISPATCHER = 9000
MUNICIPAL_GROUP = -1001000000001


def shown(outcome: Outcome) -> Outcome:
    """A button's outcome as the presser sees it (rendered as the handler renders it)."""
    edit = render.reply(outcome.edit) if outcome.edit is not None else None
    return Outcome(edit=edit, buttons=outcome.buttons,
                   replies=tuple(render.replies(outcome.replies)), notice=outcome.notice)


async def say(svc: Services, user: int, text: str) -> list[Reply]:
    return await send(svc, user, Incoming(Kind.TEXT, text=text))


async def send(svc: Services, user: int, inp: Incoming) -> list[Reply]:
    return render.replies((await dialogs.on_message(svc, user_id=user, inp=inp)).replies)


async def start(svc: Services, user: int) -> list[Reply]:
    return render.replies(await report.start(svc, user_id=user))


async def press_draft(svc: Services, user: int, choice: str,
                      name: str | None = None) -> Outcome:
    return shown(await report.press(svc, user_id=user, user_name=name, choice=choice))


async def ask(svc: Services, user: int, number: str, flow: str) -> Outcome:
    return shown(await dialogs.ask_text(svc, user_id=user, number=number, flow=flow))


# --- each action as the handlers drive it, rendered as its presser sees it ---------------

async def accept(svc: Services, actor_id: int, number: str, *, in_group: bool = False) -> Reply:
    done = await tasks.accept_task(svc, actor_id=actor_id, number=number, in_group=in_group)
    return render.accepted_card(svc.config, done.request, acceptor=done.acceptor,
                                reveal=not done.in_group)


async def route(svc: Services, actor_id: int, number: str, category: str,
                area: str | None = None) -> Reply:
    view = await tasks.route_request(svc, actor_id=actor_id, number=number, category=category,
                                     area=area)
    return render.routed_card(svc.config, view)


async def resolve(svc: Services, actor_id: int, number: str, answer: str) -> Reply:
    await ask(svc, actor_id, number, "answer")
    return (await say(svc, actor_id, answer))[0]


async def return_task(svc: Services, actor_id: int, number: str, reason: str) -> Reply:
    await ask(svc, actor_id, number, "return")
    return (await say(svc, actor_id, reason))[0]


async def rate(svc: Services, actor_id: int, number: str, rating: Rating) -> Reply:
    return render.reply(await residents.rate_request(svc, actor_id=actor_id, number=number,
                                                     rating=rating))


async def withdraw(svc: Services, actor_id: int, number: str) -> Reply:
    return render.reply(await residents.withdraw_request(svc, actor_id=actor_id,
                                                         number=number))


async def report_request(svc: Services, text: str, *, user: int = RESIDENT,
                         address: str = "瑞祥社区3号楼东侧", phone: str = "13812340000",
                         ) -> Outcome:
    """A whole report: description, no photos, address, phone, confirm."""
    await start(svc, user)
    await say(svc, user, text)
    await say(svc, user, "完成")
    if any("附近已有相同问题" in r.text for r in await say(svc, user, address)):
        await report.answer_similar(svc, user_id=user, choice="new")   # a new one, as asked
    await say(svc, user, phone)
    return await press_draft(svc, user, "ok", name="张阿姨")


def number_in(outcome: Outcome) -> str:
    import re

    match = re.search(r"\d{8}-\d{4}", outcome.replies[0].text)
    assert match, outcome
    return match.group(0)


async def request_row(svc: Services, number: str) -> Request:
    async with svc.sessions() as session:
        return (await session.execute(
            select(Request).where(Request.number == number))).scalar_one()


async def ledger(svc: Services, number: str) -> list[tuple[str, str | None, str]]:
    async with svc.sessions() as session:
        rows = await session.execute(
            select(Event.kind, Event.from_status, Event.to_status)
            .join(Request, Request.id == Event.request_id)
            .where(Request.number == number).order_by(Event.id))
        return [tuple(r) for r in rows]


async def outbox(svc: Services, *, chat_id: int | None = None,
                 kind: str | None = None) -> list[OutboxMessage]:
    async with svc.sessions() as session:
        statement = select(OutboxMessage).order_by(OutboxMessage.id)
        if chat_id is not None:
            statement = statement.where(OutboxMessage.chat_id == chat_id)
        if kind is not None:
            statement = statement.where(OutboxMessage.kind == kind)
        return list((await session.execute(statement)).scalars())


async def count(svc: Services, model: type) -> int:
    async with svc.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()
