"""Driving the domain as the handlers do, and reading what the database holds."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import dialogs, report
from bot.incoming import Incoming, Kind
from bot.replies import Outcome, Reply
from bot.services import Services
from storage.models import Event, OutboxMessage, Request

RESIDENT = 5001
ASSIGNEE = 1001          # 王师傅, municipal
OTHER_ASSIGNEE = 1002    # 李工, water
DISPATCHER = 9000
MUNICIPAL_GROUP = -1001000000001


async def say(svc: Services, user: int, text: str) -> list[Reply]:
    return (await dialogs.on_message(svc, user_id=user, inp=Incoming(Kind.TEXT, text=text))).replies


async def send(svc: Services, user: int, inp: Incoming) -> list[Reply]:
    return (await dialogs.on_message(svc, user_id=user, inp=inp)).replies


async def report_request(svc: Services, text: str, *, user: int = RESIDENT,
                         address: str = "瑞祥社区3号楼东侧", phone: str = "13812340000",
                         ) -> Outcome:
    """A whole report: description, no photos, address, phone, confirm."""
    await report.start(svc, user_id=user)
    await say(svc, user, text)
    await say(svc, user, "完成")
    await say(svc, user, address)
    await say(svc, user, phone)
    return await report.press(svc, user_id=user, user_name="张阿姨", choice="ok")


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
