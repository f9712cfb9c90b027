"""The real bot process (`lianxin run`) against the fake Bot API server, on each database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.conftest import demo_config_data
from tests.fakebot import FakeTelegram

RESIDENT, NEIGHBOUR, LATECOMER = 5001, 5002, 5003
ASSIGNEE, DISPATCHER, SUPERVISOR = 1001, 9000, 1101
WATER_ASSIGNEE = 1002
MUNICIPAL_GROUP = -1001000000001


class BotProcess:
    """`lianxin run` as a subprocess; its output goes to a log file shown on failure."""

    def __init__(self, env: dict[str, str], workdir: Path, *args: str) -> None:
        self.env = env
        self.args = args
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", *self.args, env=self.env, cwd=self.workdir,
                stdout=log, stderr=asyncio.subprocess.STDOUT)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or a pulled plug."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout=20)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


async def cli(env: dict[str, str], workdir: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, cwd=workdir,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    for user_id, name in ((RESIDENT, "张阿姨"), (NEIGHBOUR, "李大爷"), (LATECOMER, "小陈"),
                          (ASSIGNEE, "王师傅"), (DISPATCHER, "连心办"),
                          (SUPERVISOR, "赵局长"), (WATER_ASSIGNEE, "李工")):
        server.add_user(user_id, name)
    server.add_group(MUNICIPAL_GROUP, "市政公用局工作群")
    yield server
    await server.stop()


def always_open_config(path: Path, **changes: object) -> Path:
    """The demo config, with office hours and quiet hours that never hold a test's messages
    back, whatever the hour or day the suite runs at (both are tested with a clock in
    tests/integration/test_sweeps.py); `changes` replace top-level keys."""
    data = demo_config_data()
    today = datetime.now(ZoneInfo(data["timezone"])).date()
    data["office_hours"] = "00:00-23:59"
    data["calendar"] = {"workdays": [today + timedelta(days=d) for d in range(-1, 30)]}
    quiet_start = (datetime.now(ZoneInfo(data["timezone"])) + timedelta(hours=12)).hour
    data["resident_quiet_hours"] = f"{quiet_start:02d}:00-{(quiet_start + 1) % 24:02d}:00"
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
async def bot_env(fake: FakeTelegram, database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LIANXIN_"))}
    config = always_open_config(tmp_path / "lianxin.yaml")
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url,
               DATABASE_URL=database_url, LIANXIN_CONFIG=str(config),
               LIANXIN_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    if database_url.startswith("postgresql"):
        code, out = await cli(env, tmp_path, "db", "upgrade")
        assert code == 0, out
    return env


@pytest.fixture
async def running_bot(bot_env: dict[str, str], fake: FakeTelegram,
                      tmp_path: Path) -> AsyncIterator[BotProcess]:
    bot = BotProcess(bot_env, tmp_path)
    await bot.start()
    try:
        await fake.wait_polling(timeout=60)
    except AssertionError:
        await bot.stop()
        raise AssertionError("the bot did not start polling:\n" + bot.output()) from None
    yield bot
    await bot.stop()
    assert "Traceback" not in bot.output(), bot.output()
