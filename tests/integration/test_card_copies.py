"""Every copy of a card follows its task: the department's group and its assignees' private
chats, sent by the real outbox worker to the fake Bot API, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select
from telegram.ext import ExtBot

from bot.delivery.outbox import Confirmed, OutboxWorker, Result
from bot.delivery.sender import TelegramSender
from bot.notify import desk, render
from bot.services import Services, cards, handling, privacy, tasks
from bot.services import desk as desk_services
from bot.services.cards import refresh_copies
from storage import queries
from storage.models import CardMessage, OutboxMessage, StaffMember
from tests.fakebot import FakeTelegram, SentMessage
from tests.integration.helpers import (
    ASSIGNEE,
    DISPATCHER,
    MUNICIPAL_GROUP,
    RESIDENT,
    ask,
    number_in,
    outbox,
    report_request,
    request_row,
    say,
)
from tests.integration.test_sender import drain

COLLEAGUE = 1050   # a second municipal assignee
WORKING = ["办结", "进展", "申请延期", "疑难受限"]


@pytest.fixture
async def telegram(services: Services) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        for user, name in ((RESIDENT, "张阿姨"), (ASSIGNEE, "王师傅"), (COLLEAGUE, "张工"),
                           (DISPATCHER, "连心办")):
            server.add_user(user, name)
        server.add_group(MUNICIPAL_GROUP, "市政公用局工作群")
        async with services.sessions() as session:
            session.add(StaffMember(telegram_id=COLLEAGUE, name="张工", department="municipal",
                                    role="assignee", active=True, source="cli"))
            await session.commit()
        yield server


class Racing:
    """The sender, with `act` run while the first card to `chat_id` is on its way."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender
        self.chat_id: int | None = None
        self.act: Callable[[], Awaitable[object]] | None = None

    async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
        if row.chat_id == self.chat_id and self.act is not None and row.keep_copy:
            act, self.act = self.act, None
            await act()
        return await self.sender.send(row, confirmed)


@pytest.fixture
async def sender(telegram: FakeTelegram) -> AsyncIterator[Racing]:
    async with ExtBot(telegram.token, base_url=telegram.api_url) as bot:
        yield Racing(TelegramSender(bot))


@pytest.fixture
def worker(services: Services, sender: Racing) -> OutboxWorker:
    async def card_sent(row: OutboxMessage, message_id: int) -> None:
        await cards.card_sent(services, row, message_id)
    return OutboxWorker(services.sessions, services.now, sender, on_card_sent=card_sent)


async def copies(services: Services) -> list[tuple[int, int, str]]:
    async with services.sessions() as session:
        rows = await session.execute(select(CardMessage.chat_id, CardMessage.message_id,
                                            CardMessage.kind).order_by(CardMessage.id))
        return [tuple(r) for r in rows]


def card_in(telegram: FakeTelegram, chat_id: int, number: str) -> SentMessage:
    return next(m for m in telegram.messages_to(chat_id) if number in (m.text or ""))


async def sent_cards(services: Services, worker: OutboxWorker, clock) -> str:  # type: ignore[no-untyped-def]
    number = number_in(await report_request(services, "瑞祥社区3号楼门口的路灯坏了"))
    await drain(worker, services, clock)
    return number


async def test_accepting_on_the_group_card_edits_the_private_copies(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    number = await sent_cards(services, worker, clock)
    group, mine, theirs = (card_in(telegram, chat, number)
                           for chat in (MUNICIPAL_GROUP, ASSIGNEE, COLLEAGUE))
    assert sorted(await copies(services)) == sorted(
        (m.chat_id, m.message_id, "task_card") for m in (group, mine, theirs))

    await tasks.accept_task(services, actor_id=ASSIGNEE, number=number, in_group=True,
                            card=(MUNICIPAL_GROUP, group.message_id))
    edits = await outbox(services, kind="card_edit")
    assert sorted((e.chat_id, e.edit_message_id) for e in edits) == sorted(
        [(ASSIGNEE, mine.message_id), (COLLEAGUE, theirs.message_id)])   # not the pressed one
    for edit in edits:
        assert "接单" not in [label for row in edit.buttons or [] for label, _ in row]

    await drain(worker, services, clock)
    assert mine.buttons == WORKING and "13812340000" in (mine.text or "")   # the holder's
    assert theirs.buttons == [] and "正在办理" in (theirs.text or "")
    assert "138****0000" in (theirs.text or "") and "王师傅 已接单" in (theirs.text or "")
    assert group.edits == [] and group.buttons == ["接单", "退单"]   # its handler edits it
    assert {r.status for r in await outbox(services)} == {"sent"}
    assert telegram.errors_with(400) == []


async def test_a_copy_that_cannot_be_edited_is_dropped_and_never_retried(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    number = await sent_cards(services, worker, clock)
    theirs = card_in(telegram, COLLEAGUE, number)
    theirs.deleted = True   # deleted in the chat: Telegram has nothing to edit
    await tasks.accept_task(services, actor_id=ASSIGNEE, number=number)
    await drain(worker, services, clock)
    (gone,) = [r for r in await outbox(services, chat_id=COLLEAGUE, kind="card_edit")]
    assert (gone.status, gone.attempts) == ("gone", 1)
    assert "message to edit not found" in (gone.last_error or "").lower()
    assert COLLEAGUE not in [chat for chat, _, _ in await copies(services)]
    group = card_in(telegram, MUNICIPAL_GROUP, number)
    assert group.buttons == WORKING and "138****0000" in (group.text or ""), group.text


async def test_an_edit_that_changes_nothing_is_done(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    number = await sent_cards(services, worker, clock)
    await tasks.accept_task(services, actor_id=ASSIGNEE, number=number)
    await drain(worker, services, clock)
    async with services.uow() as uow:
        req = await queries.request_by_number(uow.session, number)
        assert req is not None
        assert await refresh_copies(uow.session, services.config, req, spare=(),
                                    at=services.now()) == 0   # each shows it already
        for copy in await queries.card_copies(uow.session, req.id):
            queries.mark_shown(copy, None)   # as after its handler edited it
        assert await refresh_copies(uow.session, services.config, req, spare=(),
                                    at=services.now()) == 3   # Telegram: not modified
        await uow.commit()
    await drain(worker, services, clock)
    again = (await outbox(services, kind="card_edit"))[-3:]
    assert [r.status for r in again] == ["sent"] * 3
    assert len(telegram.errors_with(400)) == 3 and len(await copies(services)) == 3


async def test_a_card_still_queued_when_its_task_moves_goes_out_as_it_now_is(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    number = number_in(await report_request(services, "瑞祥社区3号楼门口的路灯坏了"))
    await tasks.accept_task(services, actor_id=COLLEAGUE, number=number)
    assert await outbox(services, kind="card_edit") == []   # nothing sent yet to edit
    await drain(worker, services, clock)
    assert card_in(telegram, ASSIGNEE, number).buttons == []
    assert card_in(telegram, MUNICIPAL_GROUP, number).buttons == WORKING
    assert (await request_row(services, number)).assignee_id == COLLEAGUE


async def test_returned_and_rerouted_the_old_department_keeps_no_buttons(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.helpers import return_task, route

    number = await sent_cards(services, worker, clock)
    await return_task(services, ASSIGNEE, number, "小区内部路灯归物业管理")
    await drain(worker, services, clock)
    triage = card_in(telegram, DISPATCHER, number)
    assert triage.buttons[-1] == "全部类别…"
    for chat in (ASSIGNEE, COLLEAGUE, MUNICIPAL_GROUP):
        assert card_in(telegram, chat, number).buttons == []
    await route(services, DISPATCHER, number, "water_supply")
    await drain(worker, services, clock)
    for chat in (ASSIGNEE, COLLEAGUE, MUNICIPAL_GROUP):
        assert card_in(telegram, chat, number).buttons == []
    assert triage.buttons == ["添加协办部门…"]   # not pressed: brought to the current state


async def test_a_card_that_was_on_its_way_when_its_task_moved_is_edited_at_once(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, sender: Racing,
        clock) -> None:  # type: ignore[no-untyped-def]
    number = number_in(await report_request(services, "瑞祥社区3号楼门口的路灯坏了"))
    sender.chat_id = COLLEAGUE
    sender.act = lambda: tasks.accept_task(services, actor_id=ASSIGNEE, number=number)
    await drain(worker, services, clock)
    theirs = card_in(telegram, COLLEAGUE, number)
    assert len(theirs.edits) == 1 and theirs.buttons == []   # sent as it was, then edited
    assert "正在办理" in (theirs.text or "")
    assert card_in(telegram, MUNICIPAL_GROUP, number).buttons == WORKING
    assert telegram.errors_with(400) == []


async def test_erased_personal_data_leaves_every_copy(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    number = await sent_cards(services, worker, clock)
    await privacy.erase(services, user_id=RESIDENT)
    await drain(worker, services, clock)
    for chat in (ASSIGNEE, COLLEAGUE, MUNICIPAL_GROUP):
        card = card_in(telegram, chat, number)
        assert card.edits and card.buttons == ["接单", "退单"]
        for secret in ("13812340000", "138****0000", "张阿姨", "张**", "3号楼东侧"):
            assert secret not in (card.text or ""), (chat, secret)


async def test_an_approved_extension_moves_the_deadline_on_every_copy(
        services: Services, telegram: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    number = await sent_cards(services, worker, clock)
    await tasks.accept_task(services, actor_id=ASSIGNEE, number=number)
    await ask(services, ASSIGNEE, number, "extend")
    await say(services, ASSIGNEE, "3 需等待配件到货")
    await drain(worker, services, clock)
    group = card_in(telegram, MUNICIPAL_GROUP, number)
    assert len(group.edits) == 1   # accepted; the request for more time changes no card
    await handling.decide_extension(services, actor_id=DISPATCHER, number=number,
                                    approve=True)
    await drain(worker, services, clock)
    due = render.local_time((await request_row(services, number)).answer_due_at,
                            services.config.tz)
    for chat in (ASSIGNEE, COLLEAGUE, MUNICIPAL_GROUP):
        assert f"答复时限：{due}" in (card_in(telegram, chat, number).text or ""), chat
    assert len(group.edits) == 2 and telegram.errors_with(400) == []


async def test_a_find_card_whose_task_moved_before_it_was_kept_is_edited_at_once(
        services: Services) -> None:
    number = number_in(await report_request(services, "瑞祥社区3号楼门口的路灯坏了"))
    found = desk.card(services.config, await desk_services.open_card(
        services, actor_id=DISPATCHER, number=number, with_history=True))
    await cards.keep_copies(services, [(found, DISPATCHER, 77)])   # nothing moved: no edit
    assert await outbox(services, chat_id=DISPATCHER, kind="card_edit") == []
    again = desk.card(services.config, await desk_services.open_card(
        services, actor_id=DISPATCHER, number=number, with_history=True))
    await tasks.accept_task(services, actor_id=ASSIGNEE, number=number)   # while on its way
    await cards.keep_copies(services, [(again, DISPATCHER, 78)])
    edits = await outbox(services, chat_id=DISPATCHER, kind="card_edit")
    # 77 was kept before the acceptance, which refreshed it; 78 only now, so edited now
    assert sorted(e.edit_message_id for e in edits) == [77, 78]
    assert all("已接单" in (e.text or "") for e in edits)
