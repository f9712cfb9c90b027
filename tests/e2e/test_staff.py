"""End to end: a staff invite redeemed in the bot, then the new member removed by the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.domain.model import Status
from tests.e2e.conftest import ASSIGNEE, LATECOMER, NEIGHBOUR, RESIDENT, BotProcess, cli
from tests.e2e.test_bot import report, say, status_in_db
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e


async def test_invite_once_then_removal_stops_the_buttons(
        fake: FakeTelegram, running_bot: BotProcess, bot_env: dict[str, str], tmp_path: Path,
        database_url: str) -> None:
    code, out = await cli(bot_env, tmp_path, "staff", "invite", "--role", "assignee",
                          "--department", "municipal")
    assert code == 0, out
    invite = re.search(r"invite code ([A-Za-z0-9_-]+) ", out)
    assert invite, out

    # redeemed once: the newcomer joins with the staff menu; a second use is refused
    await say(fake, LATECOMER, f"/start {invite.group(1)}", "您已加入 市政公用局，身份：承办人")
    assert "cancel" in [c["command"] for c in fake.commands[f"chat:{LATECOMER}"]]
    await say(fake, NEIGHBOUR, f"/start {invite.group(1)}", "邀请码无效或已过期")
    await say(fake, NEIGHBOUR, "/start wrong-code", "邀请码无效或已过期")

    # the newcomer gets the department's card at once and accepts it
    number = await report(fake, RESIDENT, "瑞祥社区路灯不亮，晚上很黑")
    card = await fake.wait_for(LATECOMER, contains=number)
    fake.press(LATECOMER, card, "接单")
    await fake.wait_edit(card, contains="已接单")

    # removed: the task goes back to the department; the newcomer's button is refused
    code, out = await cli(bot_env, tmp_path, "staff", "remove", "--telegram-id",
                          str(LATECOMER))
    assert code == 0 and "1 open tasks given back" in out, out
    await fake.wait_for(ASSIGNEE, contains="原承办人已离岗")
    await fake.wait_edit(card, contains="待接单", after=1)   # its copy shows it, no buttons
    assert card.buttons == []
    refused = fake.press_data(LATECOMER, card, card.edits[-1].button_data("办结"))
    assert "权限" in (await fake.wait_callback_answer(refused))["text"]
    assert await status_in_db(database_url, number) == Status.DISPATCHED
