"""/delete_my_data: name, phone, address and location erased; requests and ledger kept."""

from __future__ import annotations

from sqlalchemy import select

from bot.notify import render
from bot.services import Services, privacy
from bot.services.incoming import Incoming, Kind
from storage.models import Conversation, Event, OutboxMessage, Request
from tests.integration.helpers import (
    ASSIGNEE,
    RESIDENT,
    accept,
    count,
    ledger,
    number_in,
    press_draft,
    report_request,
    say,
    send,
    start,
)


async def rows(svc: Services, model: type, *where: object) -> list:
    async with svc.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def test_erasure_leaves_no_personal_data_and_keeps_the_ledger(services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    await accept(services, ASSIGNEE, number, in_group=True)   # the full phone to the acceptor
    await start(services, RESIDENT)
    await say(services, RESIDENT, "和平里小区门口下水道堵了")
    await say(services, RESIDENT, "完成")
    await send(services, RESIDENT, Incoming(Kind.LOCATION, latitude=39.92, longitude=116.41))
    await send(services, RESIDENT, Incoming(Kind.CONTACT, phone="13900000000",
                                            contact_user_id=RESIDENT))
    located = number_in(await press_draft(services, RESIDENT, "ok", name="张阿姨"))
    await say(services, RESIDENT, "又一件事：青年路社区垃圾没人清运")   # a draft in progress
    before = await ledger(services, number)
    done = render.reply(await privacy.erase(services, user_id=RESIDENT))
    assert "2 条诉求" in done.text
    for req in await rows(services, Request, Request.resident_id == RESIDENT):
        assert (req.resident_name, req.phone, req.address, req.latitude, req.longitude) == (
            None, None, None, None, None)
        assert req.description   # the request itself is kept
    assert (await ledger(services, number))[:len(before)] == before   # rows kept
    assert (await ledger(services, located))[-1][0] == "erase"
    events = await rows(services, Event, Event.actor_role == "resident")
    assert events and all(e.actor_id is None for e in events)
    texts = [o.text or "" for o in await rows(services, OutboxMessage)]
    for secret in ("13812340000", "138****0000", "13900000000", "张阿姨", "张**"):
        assert not any(secret in t for t in texts), secret
    assert not [o for o in await rows(services, OutboxMessage) if o.location]
    assert await count(services, Conversation) == 0


async def test_erasure_touches_no_one_else(services: Services) -> None:
    mine = number_in(await report_request(services, "瑞祥社区路灯不亮"))
    other = number_in(await report_request(services, "瑞祥社区路灯不亮", user=RESIDENT + 1))
    await privacy.erase(services, user_id=RESIDENT + 1)
    kept = (await rows(services, Request, Request.number == mine))[0]
    assert kept.phone == "13812340000" and kept.address
    assert (await rows(services, Request, Request.number == other))[0].phone is None
    nothing = render.reply(await privacy.erase(services, user_id=ASSIGNEE))
    assert "0 条" in nothing.text
