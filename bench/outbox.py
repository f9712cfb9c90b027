"""Outbox throughput inside Telegram's flood limits (issue 10).

    python bench/outbox.py [--database-url sqlite:///bench.db | postgresql://postgres@127.0.0.1/test]
                           [--messages 3000] [--chats 300] [--groups 0]

Queues `messages` outbox rows, round robin over `chats` chats (the last `groups` of them
department groups), and delivers them through the real OutboxWorker and TelegramSender, with
the application's PacingRateLimiter on the Bot, to the fake Bot API (tests/fakebot) with
Telegram's flood limits on (30/s overall, 1/s per private chat with a burst of 5, 20/min per
group). Prints plain `name: value` lines: messages/s, and the 429s the fake answered (the
target is none). Target: >= 27 messages/s with zero 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from telegram.ext import ExtBot  # noqa: E402

from bot.delivery.outbox import OutboxWorker  # noqa: E402
from bot.delivery.pacing import Pacer  # noqa: E402
from bot.delivery.ratelimit import PacingRateLimiter  # noqa: E402
from bot.delivery.sender import TelegramSender  # noqa: E402
from storage import migrate, queries  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402
from tests.fakebot import FakeTelegram  # noqa: E402

FIRST_USER = 700_000
FIRST_GROUP = -1_002_000_000_000


def chat_ids(chats: int, groups: int) -> list[int]:
    private = [FIRST_USER + i for i in range(chats - groups)]
    return private + [FIRST_GROUP - i for i in range(groups)]


def now() -> datetime:
    return datetime.now(UTC)


async def queue(sessions, chats: list[int], messages: int) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        for i in range(messages):
            queries.add_outbox(session, chat_id=chats[i % len(chats)], kind="bench", at=now(),
                               text=f"第 {i} 条通知 <b>{i}</b>")
        await session.commit()


async def sent(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        statement = select(func.count()).where(OutboxMessage.status != "pending")
        return int((await session.execute(statement)).scalar_one())


async def main(url: str, messages: int, chats: int, groups: int) -> None:
    engine = create_engine(url)
    await migrate.downgrade(engine)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    ids = chat_ids(chats, groups)
    await queue(sessions, ids, messages)
    async with FakeTelegram(flood_limits=True) as fake:
        for chat_id in ids:
            if chat_id > 0:
                fake.add_user(chat_id, f"居民{chat_id}")
            else:
                fake.add_group(chat_id, f"部门群{-chat_id}")
        limiter = PacingRateLimiter(Pacer(), max_retries=3)
        bot = ExtBot(fake.token, base_url=fake.api_url, rate_limiter=limiter)
        async with bot:
            worker = OutboxWorker(sessions, now, TelegramSender(bot, limiter.pacer))
            started = time.perf_counter()
            task = asyncio.create_task(worker.run(idle_seconds=1.0))
            while (done := await sent(sessions)) < messages:
                await asyncio.sleep(0.5)
            elapsed = time.perf_counter() - started
            worker.stop()
            await task
        received = sum(len(fake.messages_to(c)) for c in ids)
        print(f"database: {url.split(':')[0]}")
        print(f"messages: {done} to {chats} chats ({groups} groups)")
        print(f"received_by_fake: {received}")
        print(f"seconds: {elapsed:.1f}")
        print(f"messages_per_s: {done / elapsed:.1f}")
        print(f"rate_limited_429: {fake.rate_limited()} (worker counted {worker.rate_limited})")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--groups", type=int, default=0)
    args = parser.parse_args()
    if args.database_url:
        asyncio.run(main(args.database_url, args.messages, args.chats, args.groups))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(main(f"sqlite:///{tmp}/bench.db", args.messages, args.chats,
                             args.groups))
