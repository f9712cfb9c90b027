"""The real OutboxWorker and TelegramSender against the fake Bot API, with flood limits on.

The pacer, the fake's flood control and the worker share one settable clock: pacing is
tested without waiting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram.ext import ExtBot

from bot.delivery.outbox import OutboxWorker
from bot.delivery.pacing import Pacer
from bot.delivery.ratelimit import PacingRateLimiter
from bot.delivery.sender import TelegramSender
from bot.services import Services
from storage import queries
from tests.fakebot import FakeTelegram
from tests.integration.helpers import outbox

RESIDENT, NEIGHBOUR, GROUP = 5001, 5002, -1001000000001


class Seconds:
    """The worker's clock (a datetime) as monotonic seconds, for the pacer and the fake."""

    def __init__(self, clock) -> None:  # type: ignore[no-untyped-def]
        self.clock, self.start = clock, clock.now

    def __call__(self) -> float:
        return (self.clock.now - self.start).total_seconds()


@pytest.fixture
async def fake(clock) -> AsyncIterator[FakeTelegram]:  # type: ignore[no-untyped-def]
    async with FakeTelegram(flood_limits=True, clock=Seconds(clock)) as server:
        server.add_user(RESIDENT, "张阿姨")
        server.add_user(NEIGHBOUR, "李大爷")
        server.add_group(GROUP, "市政公用局工作群")
        yield server


@pytest.fixture
async def worker(services: Services, fake: FakeTelegram, clock) -> AsyncIterator[OutboxWorker]:  # type: ignore[no-untyped-def]
    limiter = PacingRateLimiter(Pacer(clock=Seconds(clock)), max_retries=0)
    async with ExtBot(fake.token, base_url=fake.api_url, rate_limiter=limiter) as bot:
        yield OutboxWorker(services.sessions, services.now, TelegramSender(bot, limiter.pacer))


async def queue(services: Services, chat_id: int, **row: object) -> None:
    async with services.uow() as uow:
        queries.add_outbox(uow.session, chat_id=chat_id, kind="test", at=services.now(),
                           **row)  # type: ignore[arg-type]
        await uow.commit()


async def drain(worker: OutboxWorker, services: Services, clock, rounds: int = 200) -> int:  # type: ignore[no-untyped-def]
    """Deliver until nothing is pending, a second of the shared clock per idle round."""
    for spent in range(rounds):
        if all(r.status != "pending" for r in await outbox(services)):
            return spent
        if not await worker.deliver_due():
            clock.advance(seconds=1)
    raise AssertionError("the outbox did not drain")


async def test_a_private_chat_and_a_group_are_paced_without_a_single_429(
        services: Services, fake: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    for i in range(12):
        await queue(services, RESIDENT, text=f"r{i}")
    for i in range(25):
        await queue(services, GROUP, text=f"g{i}")
    await queue(services, NEIGHBOUR, text="n0")
    await drain(worker, services, clock)
    assert [m.text for m in fake.messages_to(RESIDENT)] == [f"r{i}" for i in range(12)]
    assert [m.text for m in fake.messages_to(GROUP)] == [f"g{i}" for i in range(25)]
    assert [m.text for m in fake.messages_to(NEIGHBOUR)] == ["n0"]
    assert fake.rate_limited() == 0 and worker.rate_limited == 0
    assert {r.attempts for r in await outbox(services)} == {1}   # pacing spent no attempt


async def test_a_multi_part_row_resumes_after_the_parts_telegram_confirmed(
        services: Services, fake: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    photos = [fake.new_file("photo").file_id for _ in range(2)]
    voice = fake.new_file("voice").file_id
    await queue(services, RESIDENT, text="20261124-0001", photos=photos, voice=voice,
                location=[31.2, 121.5])
    fake.fail_next("sendVoice", status=502)
    await worker.deliver_due()
    (row,) = await outbox(services)
    assert (row.status, row.parts_sent) == ("pending", 1)      # the album went, the voice not
    clock.advance(seconds=5)
    await drain(worker, services, clock)
    methods = [m.method.lower() for m in fake.messages_to(RESIDENT)]
    assert methods == ["sendmediagroup", "sendmediagroup", "sendvoice", "sendlocation"]
    (row,) = await outbox(services)
    assert (row.status, row.parts_sent) == ("sent", 3)


async def test_a_caption_too_long_in_utf16_units_follows_as_a_message(
        services: Services, fake: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    text = "井盖😀" * 400             # 800 characters, 1,200 UTF-16 units: over 1,024
    await queue(services, RESIDENT, text=text, photos=[fake.new_file("photo").file_id])
    await drain(worker, services, clock)
    photo, message = fake.messages_to(RESIDENT)
    assert photo.photo and not photo.text
    assert message.text == text
    assert (await outbox(services))[0].status == "sent"


async def test_a_429_puts_the_row_off_by_retry_after(
        services: Services, fake: FakeTelegram, worker: OutboxWorker, clock) -> None:  # type: ignore[no-untyped-def]
    await queue(services, RESIDENT, text="first")
    await queue(services, RESIDENT, text="second")
    fake.fail_next("sendMessage", status=429, retry_after=4)
    await worker.deliver_due()
    first, second = await outbox(services)
    assert first.not_before == second.not_before == clock.now + timedelta(seconds=4)
    assert (worker.rate_limited, fake.rate_limited(RESIDENT)) == (1, 1)   # honoured, counted
    await drain(worker, services, clock)
    assert [m.text for m in fake.messages_to(RESIDENT)] == ["first", "second"]
