"""End to end: webhook mode and several instances, one poller per token, database faults."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from sqlalchemy import func, select

from bot.delivery.serve import CONFLICT_GRACE_S
from storage.db import create_engine, session_factory
from storage.models import Conversation, Request
from tests.e2e.conftest import RESIDENT, BotProcess
from tests.e2e.test_bot import listening, number_of, press, say
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e

WEBHOOK = "https://bot.example.org/telegram"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def rows(database_url: str, model: type) -> int:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        found = (await session.execute(select(func.count()).select_from(model))).scalar_one()
    await engine.dispose()
    return int(found)


def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share PostgreSQL (SQLite is one process's store)")


async def test_webhook_health_and_a_wrong_secret(fake: FakeTelegram, bot_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    port = free_port()
    bot = BotProcess(bot_env, tmp_path, "--webhook", WEBHOOK, "--listen", f"127.0.0.1:{port}")
    await bot.start()
    try:
        await fake.wait_until(lambda: bool(fake.webhook_secret), timeout=60)
        await listening(port)
        fake.send_text(RESIDENT, "/start")
        update = fake.take_updates()[0]
        local = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{local}/health") as health:
                assert (health.status, await health.text()) == (200, "ok")
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
            async with http.post(f"{local}/telegram", json=update, headers=wrong) as forged:
                assert forged.status == 403
        assert fake.messages_to(RESIDENT) == []      # nothing processed
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output()


async def test_a_second_poller_on_the_token_is_refused(
        fake: FakeTelegram, running_bot: BotProcess, bot_env: dict[str, str],
        tmp_path: Path) -> None:
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    # the rule is about time: an instance polling for less than the grace is the newcomer
    # and gives way, so the first one must be past it (else both, as newcomers, stop)
    await asyncio.sleep(CONFLICT_GRACE_S)
    second = BotProcess(bot_env, second_dir)
    await second.start()
    assert second.process is not None
    code = await asyncio.wait_for(second.process.wait(), timeout=90)
    assert code == 2
    assert "another instance is already running with this token" in second.output()
    await say(fake, RESIDENT, "/help", "怎样反映问题")   # the first one goes on


async def full_report(fake: FakeTelegram, user: int) -> str:
    await say(fake, user, "完成", "在哪里")
    await say(fake, user, f"瑞祥社区{user}号楼东侧", "联系电话")   # each their own (+1)
    summary = await say(fake, user, "跳过", "确认提交")
    return number_of(await press(fake, user, summary, "✅ 确认提交", "已提交"))


async def test_two_webhook_instances_on_postgresql(
        fake: FakeTelegram, bot_env: dict[str, str], tmp_path: Path,
        database_url: str) -> None:
    postgres_only(database_url)
    ports = [free_port(), free_port()]
    bots = []
    for index, port in enumerate(ports):
        workdir = tmp_path / f"instance{index}"
        workdir.mkdir()
        bots.append(BotProcess(bot_env, workdir, "--webhook", WEBHOOK, "--listen",
                               f"127.0.0.1:{port}", "--instances", "2"))
    for bot in bots:
        await bot.start()
    try:
        for port in ports:
            await listening(port, timeout=60)
        fake.route_webhook(*(f"http://127.0.0.1:{p}/telegram" for p in ports))
        residents = [7000 + i for i in range(200)]
        for user in residents:
            fake.add_user(user, f"居民{user}")
            fake.send_text(user, f"瑞祥社区{user}号楼门口的路灯坏了好几天")
        for user in residents:
            await fake.wait_for(user, contains="照片", timeout=120)
        fake.redeliver(*[u for u in fake.delivered[-200:]])   # Telegram sends them again
        numbers = [await full_report(fake, user) for user in residents[:5]]
        await fake.wait_updates_consumed(timeout=60)
        assert all(len(fake.messages_to(user)) == 1 for user in residents[5:])
        assert {post.url for post in fake.webhook_posts} == {
            f"http://127.0.0.1:{p}/telegram" for p in ports}
        assert len(set(numbers)) == 5 and await rows(database_url, Request) == 5
        assert await rows(database_url, Conversation) == 195
        assert fake.rate_limited() == 0
    finally:
        for bot in bots:
            await bot.stop()
    for bot in bots:
        assert "Traceback" not in bot.output(), bot.output()


async def _admin(database_url: str, statement: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    try:
        await connection.execute(statement.format(db=name))
    finally:
        await connection.close()


async def test_postgresql_restarted_mid_report(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    postgres_only(database_url)
    terminate = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = '{db}' AND pid <> pg_backend_pid()")
    await say(fake, RESIDENT, "/new", "请描述")
    await say(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天", "照片")
    await _admin(database_url, terminate)                 # a restart: every connection gone
    await say(fake, RESIDENT, "完成", "在哪里")              # the bot reconnects by itself
    await _admin(database_url, "ALTER DATABASE {db} WITH ALLOW_CONNECTIONS false")
    try:
        await _admin(database_url, terminate)             # down for a while
        await say(fake, RESIDENT, "瑞祥社区3号楼东侧", "请稍后再试")
    finally:
        await _admin(database_url, "ALTER DATABASE {db} WITH ALLOW_CONNECTIONS true")
    await say(fake, RESIDENT, "瑞祥社区3号楼东侧", "联系电话")   # back: the report goes on
    summary = await say(fake, RESIDENT, "跳过", "确认提交")
    number = number_of(await press(fake, RESIDENT, summary, "✅ 确认提交", "已提交"))
    assert number.endswith("-0001") and await rows(database_url, Request) == 1
