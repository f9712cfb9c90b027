"""Our own pacing (bot/delivery/pacing.py) and the PTB rate limiter over it, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import RetryAfter

from bot.delivery.pacing import MARGIN_S, Limits, Pacer
from bot.delivery.ratelimit import PACED, PacingRateLimiter


class Tick:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_private_chat_gets_a_short_burst_then_one_per_second() -> None:
    tick = Tick()
    pacer = Pacer(Limits(private_burst=3), tick)
    assert [pacer.reserve(7) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = pacer.reserve(7)
    assert wait == pytest.approx(1.0 + MARGIN_S)
    assert pacer.reserve(8) == 0.0               # another chat is not held up
    tick.now += wait
    assert pacer.reserve(7) == 0.0
    assert pacer.reserve(7) > 0


def test_a_group_gets_twenty_a_minute_as_a_window() -> None:
    tick = Tick()
    pacer = Pacer(Limits(), tick)
    for _ in range(20):
        assert pacer.reserve(-100) == 0.0
        pacer.release(-100)
        tick.now += 0.1
    assert pacer.reserve(-100) == pytest.approx(60.0 - 2.0)
    tick.now += 58.0
    assert pacer.reserve(-100) == 0.0


def test_the_overall_budget_counts_each_photo_of_an_album() -> None:
    tick = Tick()
    pacer = Pacer(Limits(overall_per_second=30), tick)
    assert pacer.reserve(1, count=10) == 0.0
    for chat in range(2, 22):
        assert pacer.reserve(chat) == 0.0
    assert pacer.reserve(99) > 0
    assert pacer.chat_wait(99) == 0.0            # chat 99 itself is fine: only the overall waits


def test_a_call_holds_its_place_in_flight_and_counts_from_its_answer() -> None:
    """A request that reaches Telegram late must not share a second with the next ones: the
    window runs from when its answer came back, the latest it can have been counted."""
    tick = Tick()
    pacer = Pacer(Limits(overall_per_second=30), tick)
    for chat in range(1, 31):
        assert pacer.reserve(chat) == 0.0
    tick.now += 5.0                              # still in flight: the place is still taken
    assert pacer.reserve(99) == pytest.approx(1.0)
    for chat in range(1, 31):
        pacer.release(chat)
    tick.now += 0.5
    assert pacer.reserve(99) == pytest.approx(0.5)
    tick.now += 0.5
    assert pacer.reserve(99) == 0.0


async def test_a_waiting_call_wakes_when_a_call_in_flight_comes_back() -> None:
    tick = Tick()
    pacer = Pacer(Limits(overall_per_second=1), tick)
    assert pacer.reserve(1) == 0.0
    waiting = asyncio.create_task(pacer.acquire(2))
    await asyncio.sleep(0)
    assert not waiting.done()
    tick.now += 1.0                               # its answer came back a second ago
    pacer.release(1)
    tick.now += 1.0
    pacer.release(None, 0)                        # any release wakes the waiters
    await asyncio.wait_for(waiting, timeout=10)   # not the whole 1 s estimate
    assert pacer.reserve(3) > 0                   # chat 2 holds the one place now


def test_chats_whose_budget_is_whole_again_are_forgotten() -> None:
    tick = Tick()
    pacer = Pacer(Limits(overall_per_second=10_000), tick)
    for chat in range(1, 1001):
        assert pacer.reserve(chat if chat % 2 else -chat) == 0.0
        tick.now += 0.1
    assert len(pacer._private) + len(pacer._groups) < 700   # the first minute's are gone


async def test_the_rate_limiter_retries_a_429_a_bounded_number_of_times(monkeypatch) -> None:
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr("bot.delivery.ratelimit.asyncio.sleep", no_sleep)
    limiter = PacingRateLimiter(Pacer(), max_retries=2)
    calls = 0

    async def flooded() -> bool:
        nonlocal calls
        calls += 1
        raise RetryAfter(3)

    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert (calls, limiter.rate_limited, sleeps) == (3, 3, [3.0, 3.0])


async def test_an_outbox_call_is_not_retried_by_the_limiter() -> None:
    limiter = PacingRateLimiter(Pacer(), max_retries=3)
    calls = 0

    async def flooded() -> bool:
        nonlocal calls
        calls += 1
        raise RetryAfter(3)

    with pytest.raises(RetryAfter):   # the worker puts the row off in the database instead
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 5}, PACED)
    assert calls == 1


async def test_replies_and_edits_share_the_chat_budget_other_calls_do_not() -> None:
    tick = Tick()
    pacer = Pacer(Limits(private_burst=2), tick)
    limiter = PacingRateLimiter(pacer)

    async def ok() -> bool:
        return True

    for endpoint in ("sendMessage", "editMessageText"):
        await limiter.process_request(ok, (), {}, endpoint, {"chat_id": 5}, None)
    assert pacer.chat_wait(5) > 0           # the burst is spent: a third would wait
    await limiter.process_request(ok, (), {}, "answerCallbackQuery", {}, None)   # not paced


def test_instances_sharing_the_token_each_keep_a_share_of_every_budget() -> None:
    shared = Limits().shared(2)
    assert (shared.overall_per_second, shared.private_per_second, shared.private_burst,
            shared.group_per_minute) == (15, 0.5, 1, 10)
    assert Limits().shared(1) == Limits()
