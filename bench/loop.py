"""Throughput of the request loop on a real database (issue 3 has no speed target; this
shows where it stands).

    python bench/loop.py [--database-url sqlite:///bench.db | postgresql://postgres@127.0.0.1/test]
                         [--requests 200] [--concurrency 20]

Prints plain `name: value` lines: whole reports (5 conversation steps + submit) per second
with `concurrency` residents at once, accept+resolve+rate transitions per second, and
outbox rows claimed and recorded per second (with a transport that returns at once).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.config import parse_config  # noqa: E402
from bot.delivery.outbox import Delivery, OutboxWorker, Result  # noqa: E402
from bot.domain.calendar import WorkCalendar  # noqa: E402
from bot.domain.model import Rating  # noqa: E402
from bot.routing import Router  # noqa: E402
from bot.services import Services, dialogs, report, residents, tasks  # noqa: E402
from bot.services.incoming import Incoming, Kind  # noqa: E402
from bot.services.staff import sync_staff  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402

ASSIGNEE = 1001


class InstantTransport:
    async def send(self, row: object, confirmed: object = None) -> Result:
        return Result(Delivery.SENT)


async def one_report(svc: Services, user: int) -> str:
    await report.start(svc, user_id=user)
    # each resident's own building: the same one would be offered to join (+1)
    for text in (f"瑞祥社区{user % 50}号楼门口的路灯坏了", "完成", f"瑞祥社区{user}号楼东侧",
                 "跳过"):
        await dialogs.on_message(svc, user_id=user, inp=Incoming(Kind.TEXT, text=text))
    outcome = await report.press(svc, user_id=user, user_name="bench", choice="ok")
    return str(outcome.replies[0].values["number"])


async def handle(svc: Services, number: str, user: int) -> None:
    """accept + resolve + rate, as the handlers drive them."""
    await tasks.accept_task(svc, actor_id=ASSIGNEE, number=number)
    await dialogs.ask_text(svc, user_id=ASSIGNEE, number=number, flow="answer")
    await dialogs.on_message(svc, user_id=ASSIGNEE, inp=Incoming(Kind.TEXT, text="已修复"))
    await residents.rate_request(svc, actor_id=user, number=number, rating=Rating.SATISFIED)


async def timed(label: str, count: int, jobs: list, concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def run(job: object) -> None:
        async with gate:
            await job

    started = time.perf_counter()
    await asyncio.gather(*(run(job) for job in jobs))
    print(f"{label}: {count / (time.perf_counter() - started):.1f}")


async def main(url: str, requests: int, concurrency: int) -> None:
    data = yaml.safe_load((ROOT / "bot" / "demo_config.yaml").read_text(encoding="utf-8"))
    config = parse_config(data, "demo")
    engine = create_engine(url)
    await migrate.downgrade(engine)
    await migrate.upgrade(engine)
    with tempfile.TemporaryDirectory() as data_dir:
        svc = Services(config=config, calendar=WorkCalendar.from_config(config),
                       router=Router.build(config, Path(data_dir)),
                       sessions=session_factory(engine))
        await sync_staff(svc, config)
        users = list(range(700_000, 700_000 + requests))
        print(f"database: {engine.dialect.name}")
        numbers: dict[int, str] = {}

        async def reported(user: int) -> None:
            numbers[user] = await one_report(svc, user)

        await timed("reports_per_s", requests, [reported(u) for u in users], concurrency)
        await timed("handled_requests_per_s", requests,
                    [handle(svc, numbers[u], u) for u in users], 1)
        worker = OutboxWorker(svc.sessions, svc.now, InstantTransport(), batch=100)
        started, sent = time.perf_counter(), 0
        while claimed := await worker.deliver_due():
            sent += claimed
        print(f"outbox_rows_per_s: {sent / (time.perf_counter() - started):.1f} ({sent} rows)")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        asyncio.run(main(url, args.requests, args.concurrency))
