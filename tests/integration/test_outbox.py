"""Outbox delivery on real databases, with a recording transport in place of Telegram."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.delivery.outbox import Confirmed, Delivery, OutboxWorker, Result
from bot.services import Services
from storage import queries
from storage.models import OutboxMessage
from tests.integration.helpers import outbox


class Transport:
    """Answers each send with the next scripted result per chat (default: sent)."""

    def __init__(self, script: dict[int, list[Result]] | None = None) -> None:
        self.script = script or {}
        self.sent: list[tuple[int, str | None]] = []

    async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
        results = self.script.get(row.chat_id)
        result = results.pop(0) if results else Result(Delivery.SENT)
        if result.delivery == Delivery.SENT:
            self.sent.append((row.chat_id, row.text))
        return result


async def queue(svc: Services, *rows: tuple[int, str]) -> None:
    async with svc.uow() as uow:
        for chat_id, text in rows:
            queries.add_outbox(uow.session, chat_id=chat_id, kind="test", at=svc.now(), text=text)
        await uow.commit()


async def test_rows_are_sent_once_in_order(services: Services) -> None:
    await queue(services, (1, "a"), (2, "b"), (1, "c"))
    transport = Transport()
    worker = OutboxWorker(services.sessions, services.now, transport)
    assert await worker.deliver_due() == 3
    assert await worker.deliver_due() == 0
    assert transport.sent == [(1, "a"), (2, "b"), (1, "c")]
    assert {r.status for r in await outbox(services)} == {"sent"}


async def test_retry_after_holds_the_chat_and_keeps_order(services: Services, clock) -> None:
    await queue(services, (1, "first"), (1, "second"), (2, "other"))
    transport = Transport({1: [Result(Delivery.RETRY, retry_after=7.0)]})
    worker = OutboxWorker(services.sessions, services.now, transport)
    await worker.deliver_due()
    assert transport.sent == [(2, "other")]     # chat 1 waits, "second" does not jump ahead
    first = (await outbox(services, chat_id=1))[0]
    assert first.status == "pending" and first.not_before == clock.now + timedelta(seconds=7)
    assert await worker.deliver_due() == 0       # not yet due
    clock.advance(seconds=7)
    await worker.deliver_due()
    assert transport.sent == [(2, "other"), (1, "first"), (1, "second")]


async def test_blocked_user_is_undeliverable_and_a_rejected_row_is_not_retried(
        services: Services, clock) -> None:
    await queue(services, (1, "to a blocked user"), (2, "bad markup"))
    transport = Transport({1: [Result(Delivery.UNDELIVERABLE, error="Forbidden")],
                           2: [Result(Delivery.REJECTED, error="can't parse entities")]})
    await OutboxWorker(services.sessions, services.now, transport).deliver_due()
    rows = await outbox(services)
    assert [(r.status, r.attempts) for r in rows] == [("undeliverable", 1), ("rejected", 1)]
    clock.advance(days=1)
    assert await OutboxWorker(services.sessions, services.now, transport).deliver_due() == 0


async def test_a_lapsed_claim_is_picked_up_again(services: Services, clock) -> None:
    await queue(services, (1, "a"))
    async with services.uow() as uow:   # an instance claims the row, then dies
        from storage.queries import claim_outbox

        claimed = await claim_outbox(uow.session, now=clock.now,
                                     lease_until=clock.now + timedelta(seconds=60), limit=10,
                                     token="dead")
        await uow.commit()
    assert len(claimed) == 1
    transport = Transport()
    assert await OutboxWorker(services.sessions, services.now, transport).deliver_due() == 0
    clock.advance(seconds=61)
    assert await OutboxWorker(services.sessions, services.now, transport).deliver_due() == 1
    assert transport.sent == [(1, "a")]


async def claim(services: Services, clock, token: str, limit: int = 10) -> list[OutboxMessage]:
    async with services.uow() as uow:
        rows = await queries.claim_outbox(uow.session, now=clock.now, limit=limit, token=token,
                                          lease_until=clock.now + timedelta(seconds=60))
        await uow.commit()
    return list(rows)


async def test_a_claim_takes_whole_chats_held_by_no_live_claim(services: Services, clock) -> None:
    await queue(services, (1, "a"), (2, "b"), (1, "c"), (3, "d"), (1, "e"))
    first = await claim(services, clock, "one", limit=2)        # chat 1's "a", chat 2
    assert [(r.chat_id, r.text) for r in first] == [(1, "a"), (2, "b")]
    second = await claim(services, clock, "two")                # chat 1 is held: only chat 3
    assert [(r.chat_id, r.text) for r in second] == [(3, "d")]
    rows = {r.text: r for r in await outbox(services)}
    assert rows["a"].claim_token == "one" and rows["d"].claim_token == "two"
    assert rows["c"].claim_token is None


async def test_a_result_is_recorded_only_under_the_claim_that_holds_the_row(
        services: Services, clock) -> None:
    await queue(services, (1, "slow"), (2, "next"))

    class Slow(Transport):
        async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
            clock.advance(seconds=61)                      # the lease lapses mid-send...
            taken = await claim(services, clock, "other")  # ...and another instance takes it
            assert [r.text for r in taken] == ["slow", "next"]
            return await super().send(row)

    transport = Slow()
    await OutboxWorker(services.sessions, services.now, transport).deliver_due()
    assert transport.sent == [(1, "slow")]          # "next" is the other claim's to send now
    rows = await outbox(services)
    assert [(r.status, r.claim_token, r.attempts) for r in rows] == [("pending", "other", 0)] * 2


async def test_the_lease_is_renewed_while_a_batch_is_sent(
        services: Services, clock, monkeypatch) -> None:
    from bot.delivery import outbox as module

    monkeypatch.setattr(module, "RENEW_EVERY_S", 0.0)
    await queue(services, (1, "a"), (2, "b"))
    renewed = asyncio.Event()

    class Watching(Transport):
        async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
            if row.chat_id == 1:
                clock.advance(seconds=50)
                lease = clock.now + timedelta(seconds=60)
                while (await outbox(services, chat_id=2))[0].claimed_until != lease:
                    await asyncio.sleep(0)               # let the renewal run
                renewed.set()
            return await super().send(row)

    await OutboxWorker(services.sessions, services.now, Watching()).deliver_due()
    assert renewed.is_set()
    assert [r.status for r in await outbox(services)] == ["sent", "sent"]


async def test_a_multi_part_row_resumes_after_its_confirmed_parts(services: Services) -> None:
    await queue(services, (1, "card"))
    results = [Result(Delivery.RETRY, retry_after=0.0, parts_sent=2), Result(Delivery.SENT)]
    seen: list[int] = []

    class Parts(Transport):
        async def send(self, row: OutboxMessage, confirmed: Confirmed | None = None) -> Result:
            seen.append(row.parts_sent)
            return results.pop(0)

    worker = OutboxWorker(services.sessions, services.now, Parts())
    await worker.deliver_due()
    assert (await outbox(services))[0].parts_sent == 2
    await worker.deliver_due()
    assert seen == [0, 2]
    (row,) = await outbox(services)
    assert (row.status, row.parts_sent) == ("sent", 2)


async def test_a_paced_row_waits_without_spending_an_attempt(services: Services, clock) -> None:
    await queue(services, (1, "first"), (1, "second"), (2, "other"))
    transport = Transport({1: [Result(Delivery.LATER, retry_after=1.0)]})
    await OutboxWorker(services.sessions, services.now, transport).deliver_due()
    assert transport.sent == [(2, "other")]
    first, second = await outbox(services, chat_id=1)
    assert first.attempts == 0 and first.not_before == clock.now + timedelta(seconds=1)
    assert second.not_before == first.not_before


async def test_two_claims_at_once_never_split_a_chat(services: Services, clock,
                                                     database_url: str) -> None:
    """PostgreSQL (several instances share it): a claim still in its transaction holds its
    rows' locks; a second claim skips them and, with its head row locked, the whole chat."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: no concurrent claims to race")
    await queue(services, (1, "a"), (1, "b"), (2, "c"), (1, "d"), (3, "e"))
    async with services.uow() as first:
        taken = await queries.claim_outbox(first.session, now=clock.now, limit=2, token="one",
                                           lease_until=clock.now + timedelta(seconds=60))
        assert [r.text for r in taken] == ["a", "b"]            # uncommitted: rows locked
        second = await claim(services, clock, "two")
        assert sorted(r.text for r in second) == ["c", "e"]     # not chat 1's "d"
        await first.commit()


async def test_an_outage_is_never_given_up_and_the_first_success_brings_its_rows_forward(
        services: Services, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.delivery import outbox as module

    monkeypatch.setattr(module, "MAX_ATTEMPTS", 2)
    await queue(services, (1, "a"), (2, "b"))
    down = Result(Delivery.RETRY, error="Bad Gateway", outage=True)
    transport = Transport({1: [down, down, down], 2: [down]})
    worker = OutboxWorker(services.sessions, services.now, transport)
    await worker.deliver_due()                  # both fail: tried again in 0.25 s
    clock.advance(seconds=0.25)
    await worker.deliver_due()                  # chat 1 fails again (0.5 s), chat 2 goes
    assert transport.sent == [(2, "b")]
    first = (await outbox(services, chat_id=1))[0]
    assert first.not_before == clock.now       # brought forward by chat 2's success
    await worker.deliver_due()                  # a third failure, past MAX_ATTEMPTS
    first = (await outbox(services, chat_id=1))[0]
    assert (first.status, first.attempts) == ("pending", 3)
    clock.advance(seconds=1)
    await worker.deliver_due()
    assert transport.sent == [(2, "b"), (1, "a")]
