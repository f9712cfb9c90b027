"""Destinations the bot cannot reach, and groups upgraded to supergroups (issue 10)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import delivery_hooks
from bot.delivery.outbox import Delivery, OutboxWorker, Result
from bot.domain.model import Status
from bot.services import Services
from bot.services.reach import chat_migrated, chat_reached, outdated_chats
from tests.conftest import DEMO_CONFIG
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    MUNICIPAL_GROUP,
    ledger,
    number_in,
    outbox,
    report_request,
    request_row,
)
from tests.integration.test_cli import lianxin
from tests.integration.test_outbox import Transport

NEVER_OPENED = "Forbidden: bot can't initiate conversation with a user"
KICKED = "Forbidden: bot was kicked from the supergroup chat"
SUPERGROUP = -1009999999999


def worker(svc: Services, transport: Transport) -> OutboxWorker:
    return OutboxWorker(svc.sessions, svc.now, transport, **delivery_hooks(svc))


async def drain(w: OutboxWorker) -> None:
    while await w.deliver_due():
        pass


async def streetlight(svc: Services) -> str:
    return number_in(await report_request(svc, "瑞祥社区3号楼门口的路灯坏了好几天"))


async def test_a_department_nobody_can_reach_goes_back_to_the_office(services: Services) -> None:
    number = await streetlight(services)
    transport = Transport({ASSIGNEE: [Result(Delivery.UNDELIVERABLE, error=NEVER_OPENED)],
                           MUNICIPAL_GROUP: [Result(Delivery.UNDELIVERABLE, error=KICKED)]})
    await drain(worker(services, transport))
    told = [text for chat, text in transport.sent if chat == DISPATCHER]
    assert any(f"市政公用局 的群聊已移除本机器人；任务 {number} 未能送达" in t for t in told)
    assert any("王师傅（市政公用局）从未打开过本机器人" in t for t in told)
    assert any("待分派" in t and number in t and "无人能收到" in t for t in told)
    assert (await request_row(services, number)).status == Status.TRIAGE
    assert ("unreachable", "dispatched", "triage") in await ledger(services, number)


async def test_the_office_is_told_once_per_destination(services: Services) -> None:
    await streetlight(services)
    await streetlight(services)
    kicked = [Result(Delivery.UNDELIVERABLE, error=KICKED)] * 2
    await drain(worker(services, Transport({MUNICIPAL_GROUP: kicked})))
    notices = await outbox(services, chat_id=DISPATCHER, kind="unreachable")
    assert len(notices) == 1 and "市政公用局 的群聊已移除本机器人" in (notices[0].text or "")


async def test_a_destination_reached_again_is_told_again_when_lost(services: Services) -> None:
    """Told once per loss: a send that succeeds, or /start (chat_reached), in between."""
    kicked = Result(Delivery.UNDELIVERABLE, error=KICKED)
    never_opened = Result(Delivery.UNDELIVERABLE, error=NEVER_OPENED)
    transport = Transport({MUNICIPAL_GROUP: [kicked, kicked, Result(Delivery.SENT), kicked],
                           ASSIGNEE: [never_opened] * 3})
    w = worker(services, transport)
    for _ in range(2):   # lost twice: told once
        await streetlight(services)
        await drain(w)
    await chat_reached(services, ASSIGNEE)   # the assignee sent /start (and blocked us again)
    await streetlight(services)   # the group's card arrives: reachable again
    await drain(w)
    last = await streetlight(services)   # the group lost again: told again
    await drain(w)
    notices = [n.text or "" for n in await outbox(services, chat_id=DISPATCHER,
                                                   kind="unreachable")]
    group = [n for n in notices if "市政公用局 的群聊已移除本机器人" in n]
    assert len(group) == 2 and last in group[1]
    assert len([n for n in notices if "从未打开过本机器人" in n]) == 2


async def test_a_card_that_reached_someone_stays_with_the_department(
        services: Services) -> None:
    number = await streetlight(services)
    transport = Transport({MUNICIPAL_GROUP: [Result(Delivery.UNDELIVERABLE, error=KICKED)]})
    await drain(worker(services, transport))
    assert (await request_row(services, number)).status == Status.DISPATCHED
    assert any(chat == ASSIGNEE and number in (text or "") for chat, text in transport.sent)


async def test_a_group_upgraded_to_a_supergroup_gets_the_card_at_its_new_id(
        services: Services) -> None:
    number = await streetlight(services)
    moved = Result(Delivery.MIGRATED, new_chat_id=SUPERGROUP, error="Group migrated")
    transport = Transport({MUNICIPAL_GROUP: [moved]})
    await drain(worker(services, transport))
    assert any(chat == SUPERGROUP and number in (text or "") for chat, text in transport.sent)
    assert not await outbox(services, chat_id=MUNICIPAL_GROUP)
    assert [r.attempts for r in await outbox(services, chat_id=SUPERGROUP, kind="task_card")] \
        == [1]   # the 400 that told us the new id spent no attempt
    second = await streetlight(services)    # later cards go to the new id directly
    cards = await outbox(services, chat_id=SUPERGROUP, kind="task_card")
    assert second in (cards[-1].text or "")
    outdated = await outdated_chats(services.sessions, services.config)
    assert outdated == [("municipal", MUNICIPAL_GROUP, SUPERGROUP)]


async def test_the_service_message_moves_the_queue_and_is_idempotent(
        services: Services) -> None:
    await streetlight(services)
    assert await chat_migrated(services, MUNICIPAL_GROUP, SUPERGROUP) == ["municipal"]
    assert await chat_migrated(services, MUNICIPAL_GROUP, SUPERGROUP) == []
    assert not await outbox(services, chat_id=MUNICIPAL_GROUP)
    assert await outbox(services, chat_id=SUPERGROUP, kind="task_card")


async def test_check_config_reports_the_moved_group_as_outdated(
        services: Services, database_url: str, tmp_path: Path) -> None:
    await chat_migrated(services, MUNICIPAL_GROUP, SUPERGROUP)
    result = await asyncio.to_thread(lianxin, "check-config", "--config", str(DEMO_CONFIG),
                                     cwd=tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 0, result
    assert (f"outdated: departments[0] (municipal) chat_id {MUNICIPAL_GROUP}: Telegram "
            f"upgraded the group to a supergroup, now {SUPERGROUP}") in result.stdout
