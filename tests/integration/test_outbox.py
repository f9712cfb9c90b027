"""Outbox delivery on real databases, with a recording transport in place of Telegram."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.outbox import Delivery, OutboxWorker, Result
from bot.services import Services
from storage import queries
from storage.models import OutboxMessage
from tests.integration.helpers import outbox


class Transport:
    """Answers each send with the next scripted result per chat (default: sent)."""

    def __init__(self, script: dict[int, list[Result]] | None = None) -> None:
        self.script = script or {}
        self.sent: list[tuple[int, str | None]] = []

    async def send(self, row: OutboxMessage) -> Result:
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
                                     lease_until=clock.now + timedelta(seconds=60), limit=10)
        await uow.commit()
    assert len(claimed) == 1
    transport = Transport()
    assert await OutboxWorker(services.sessions, services.now, transport).deliver_due() == 0
    clock.advance(seconds=61)
    assert await OutboxWorker(services.sessions, services.now, transport).deliver_due() == 1
    assert transport.sent == [(1, "a")]
