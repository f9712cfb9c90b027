"""不涉及具体地点: a consultation without a place; a territorial category without one goes to
triage."""

from __future__ import annotations

import pytest

from bot.notify import texts
from bot.notify.replies import Keyboard
from bot.services import Services
from tests.integration.helpers import (
    RESIDENT,
    number_in,
    outbox,
    press_draft,
    report_request,
    request_row,
    say,
    start,
)


@pytest.mark.parametrize("words", [texts.BTN_NO_PLACE, "跳过"])
async def test_a_consultation_needs_no_address(services: Services, words: str) -> None:
    await start(services, RESIDENT)
    await say(services, RESIDENT, "请问医保报销怎么办，需要带什么材料")
    asked = await say(services, RESIDENT, "完成")
    assert asked[-1].keyboard == Keyboard.LOCATION and "不涉及具体地点" in asked[-1].text
    phone = await say(services, RESIDENT, words)
    assert phone[-1].keyboard == Keyboard.CONTACT          # on to the phone, not refused
    summary = await say(services, RESIDENT, "跳过")
    assert "<b>地点</b>：不涉及具体地点" in summary[-1].text
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    req = await request_row(services, number)
    assert (req.address, req.latitude) == (None, None)


async def test_a_territorial_request_without_a_place_goes_to_triage(
        services: Services) -> None:
    dispute = "楼上邻居每天晚上跑跳，脚步声很吵，协商说不通，请帮忙调解"
    placed = number_in(await report_request(services, dispute, address="瑞祥社区3号楼"))
    assert (await request_row(services, placed)).department == "ruixiang_office"
    number = number_in(await report_request(services, dispute, address=texts.BTN_NO_PLACE))
    req = await request_row(services, number)
    assert req.status == "triage" and req.department is None
    card = [m for m in await outbox(services, kind="triage_card") if number in (m.text or "")]
    assert card and "不涉及具体地点" in (card[0].text or "")
