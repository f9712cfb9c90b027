"""One sweep over 1,000 and over 1,000,000 requests in PostgreSQL, 100 of them due.

    python bench/sweeps.py [--database-url postgresql://postgres@127.0.0.1:5432/lianxin_bench]
                           [--sizes 1000 1000000] [--due 100]

The database is created if missing and its schema dropped and re-made. For each size it
fills the requests (dispatched, each with its acceptance timer; `due` of them past due) in
SQL, then times one sweep (every due timer fired: ledger row, outbox rows, next timer) and
prints `sweep_s_<size>: seconds`, the ratio of the largest to the smallest (target: at most
3), and the EXPLAIN of the claim query, which must use the due-time index.
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

import asyncpg  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.config import parse_config  # noqa: E402
from bot.domain.calendar import WorkCalendar  # noqa: E402
from bot.routing import Router  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.services.staff import sync_staff  # noqa: E402
from bot.services.sweeps import fire_due_timer  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)   # Tuesday 11:00 in Shanghai: office hours

FILL = """
INSERT INTO requests (id, number, resident_id, description, traditional, status, category,
    department, urgent, routing, reopen_count, escalation_level, created_at, accept_due_at,
    answer_due_at)
SELECT g, '20261124-' || lpad(g::text, 7, '0'), 100000 + g, '瑞祥社区路灯不亮', false,
    'dispatched', 'streetlight', 'municipal', false, '{}', 0, 0,
    CAST(:now AS timestamp) - interval '1 hour',
    CAST(:now AS timestamp) + interval '1 day',
    CAST(:now AS timestamp) + interval '9 day'
FROM generate_series(1, :size) AS g;
INSERT INTO timers (request_id, kind, due_at, created_at)
SELECT g, 'accept_remind',
    CASE WHEN g <= :due THEN CAST(:now AS timestamp) - interval '1 minute'
         ELSE CAST(:now AS timestamp) + (g || ' second')::interval END,
    CAST(:now AS timestamp) - interval '1 hour'
FROM generate_series(1, :size) AS g;
ANALYZE requests;
ANALYZE timers
"""
CLAIM = ("EXPLAIN SELECT * FROM timers WHERE due_at <= CAST(:now AS timestamp) "
         "ORDER BY due_at, id LIMIT 1 "
         "FOR UPDATE SKIP LOCKED")


async def ensure_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin.replace("postgresql://", "postgres://"))
    exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                       parsed.database)
    if not exists:
        await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    await connection.close()


async def one_size(url: str, size: int, due: int, data_dir: Path) -> float:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await migrate.upgrade(engine)
    async with engine.begin() as connection:
        for statement in FILL.strip().split(";\n"):
            await connection.execute(text(statement), {"now": NOW.replace(tzinfo=None),
                                                        "size": size, "due": due})
    config = parse_config(yaml.safe_load((ROOT / "bot" / "demo_config.yaml").read_text(
        encoding="utf-8")), "demo")
    svc = Services(config=config, calendar=WorkCalendar.from_config(config),
                   router=Router.build(config, data_dir), sessions=session_factory(engine),
                   clock=lambda: NOW)
    await sync_staff(svc, config)
    started, fired = time.perf_counter(), 0
    while await fire_due_timer(svc):
        fired += 1
    seconds = time.perf_counter() - started
    assert fired == due, f"fired {fired}, expected {due}"
    if size == max(SIZES):
        async with engine.connect() as connection:
            plan = (await connection.execute(text(CLAIM), {"now": NOW.replace(tzinfo=None)})
                    ).scalars().all()
        print("explain (claim query, largest size):")
        print("\n".join(f"  {line}" for line in plan))
    await engine.dispose()
    return seconds


SIZES: list[int] = []


async def main(url: str, sizes: list[int], due: int) -> None:
    SIZES.extend(sizes)
    await ensure_database(url)
    times = {}
    with tempfile.TemporaryDirectory() as data_dir:
        for size in sizes:
            times[size] = await one_size(url, size, due, Path(data_dir))
            print(f"sweep_s_{size}: {times[size]:.3f} ({due} due)")
    print(f"ratio_largest_to_smallest: {times[max(sizes)] / times[min(sizes)]:.2f} "
          "(target <= 3)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url",
                        default="postgresql://postgres@127.0.0.1:5432/lianxin_bench")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--due", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.sizes, args.due))
