"""End to end, with limits in seconds: the sweeps chase, escalate and run the survey."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.domain.model import Status
from tests.e2e.conftest import (
    ASSIGNEE,
    DISPATCHER,
    RESIDENT,
    SUPERVISOR,
    BotProcess,
    always_open_config,
)
from tests.e2e.test_bot import number_of, press, report, status_in_db
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e

FAST = {"accept": "2s", "answer": "30s", "remind_before": "10s", "escalate_after": "2s",
        "survey_delay": "0s", "survey_remind": "2s", "survey_expires": "4s", "max_reopens": 2}


@pytest.fixture
def fast_env(bot_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    config = always_open_config(tmp_path / "fast.yaml", limits=FAST,
                                scheduler={"tick": "1s", "retrain": "1d"})
    return {**bot_env, "LIANXIN_CONFIG": str(config)}


def count(fake: FakeTelegram, chat_id: int, words: str) -> int:
    return sum(words in (m.text or "") for m in fake.messages_to(chat_id))


async def closed_in_db(database_url: str, number: str, timeout: float = 30) -> None:
    """Wait until the request is closed (the survey expired), checking the database."""
    async def closed() -> None:
        while await status_in_db(database_url, number) != Status.CLOSED:
            await asyncio.sleep(0.2)
    await asyncio.wait_for(closed(), timeout)


async def test_chase_escalate_survey_and_expire_across_a_restart(
        fake: FakeTelegram, fast_env: dict[str, str], tmp_path: Path,
        database_url: str) -> None:
    bot = BotProcess(fast_env, tmp_path)
    await bot.start()
    try:
        await fake.wait_polling(timeout=60)
        number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了")
        card = await fake.wait_for(ASSIGNEE, contains=number)
        await fake.wait_for(ASSIGNEE, contains="尽快接单", timeout=30)
        await bot.kill()          # a restart between the reminder and the escalation
        await bot.start()
        await fake.wait_for(SUPERVISOR, contains="超时未接单", timeout=30)
        await fake.wait_for(DISPATCHER, contains="超时未接单", timeout=30)
        assert count(fake, ASSIGNEE, "尽快接单") == 1      # nothing sent twice

        fake.press(ASSIGNEE, card, "接单")
        await fake.wait_edit(card, contains="已接单")
        await fake.wait_for(ASSIGNEE, contains="请在", timeout=30)            # remind_before
        await fake.wait_for(SUPERVISOR, contains="已到答复期限", timeout=30)   # level 1
        await fake.wait_for(DISPATCHER, contains="二级督办", timeout=30)       # level 2
        assert count(fake, SUPERVISOR, "已到答复期限") == 1
        await press(fake, ASSIGNEE, card, "办结", "答复内容")
        fake.send_text(ASSIGNEE, "已更换灯泡")
        answer = await fake.wait_for(RESIDENT, contains="已更换灯泡")
        await fake.wait_for(RESIDENT, contains="还没有评价", timeout=30)      # one reminder
        assert number_of(answer) == number
        await closed_in_db(database_url, number)                              # 未评价
        late = await fake.wait_callback_answer(fake.press(RESIDENT, answer, "满意"))
        assert "回访已结束" in late["text"]
        assert count(fake, RESIDENT, "还没有评价") == 1
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output(), bot.output()
