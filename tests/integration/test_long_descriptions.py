"""Long descriptions: kept whole, a split paste joined, cards clipped with the full text after."""

from __future__ import annotations

from bot.limits import MESSAGE_TEXT, utf16_len
from bot.notify import render
from bot.notify.replies import Keyboard
from bot.services import Services, report
from bot.services.incoming import Incoming, Kind
from tests.integration.helpers import (
    RESIDENT,
    number_in,
    outbox,
    press_draft,
    request_row,
    say,
    send,
    start,
)

PETITION = "尊敬的领导：我们小区（瑞祥社区3号楼）下水道反复堵塞，污水漫到路上。" * 300


def piece(text: str, message_id: int) -> Incoming:
    return Incoming(Kind.TEXT, text=text, message_id=message_id)


async def settle(svc: Services) -> list:
    return render.replies(await report.settle(svc, user_id=RESIDENT))


async def test_a_4000_character_description_is_kept_whole(services: Services, clock) -> None:
    text = PETITION[:4000]
    await start(services, RESIDENT)
    assert await send(services, RESIDENT, piece(text, 10)) == []   # waits for more
    assert await settle(services) == []                            # not yet
    clock.advance(seconds=4)
    asked = await settle(services)
    assert asked[-1].keyboard == Keyboard.PHOTOS
    for answer in ("完成", "瑞祥社区3号楼东侧"):
        await say(services, RESIDENT, answer)
    summary = await say(services, RESIDENT, "跳过")
    assert "全文共 4000 字" in summary[-1].text
    assert utf16_len(summary[-1].text) < MESSAGE_TEXT
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    assert (await request_row(services, number)).description == text
    cards = [m for m in await outbox(services) if m.kind in ("task_card", "triage_card")]
    assert cards and all(utf16_len(c.text or "") <= MESSAGE_TEXT for c in cards)
    full = [m for m in await outbox(services, chat_id=cards[0].chat_id, kind="full_text")]
    assert "".join((m.text or "").split("\n", 1)[1] for m in full) == text
    assert all(utf16_len(m.text or "") <= MESSAGE_TEXT for m in full)


async def test_two_pieces_of_one_paste_are_one_description(services: Services, clock) -> None:
    first, second = PETITION[:4096], PETITION[4096:6000]
    await start(services, RESIDENT)
    await send(services, RESIDENT, piece(first, 10))
    clock.advance(seconds=1)
    assert await send(services, RESIDENT, piece(second, 11)) == []   # no stray answer
    clock.advance(seconds=2)
    assert await settle(services) == []    # the second piece restarted the wait
    clock.advance(seconds=2)
    assert (await settle(services))[-1].keyboard == Keyboard.PHOTOS
    assert await settle(services) == []    # once only
    for answer in ("完成", "瑞祥社区3号楼东侧", "跳过"):
        await say(services, RESIDENT, answer)
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    assert (await request_row(services, number)).description == (first + second).strip()


async def test_a_restart_mid_paste_loses_nothing(services: Services, clock) -> None:
    """The settle job is lost with the process: the next message completes the description
    and is taken at the next step."""
    await start(services, RESIDENT)
    await send(services, RESIDENT, piece(PETITION[:3000], 10))
    clock.advance(minutes=5)
    replies = await say(services, RESIDENT, "完成")
    assert replies[-1].keyboard == Keyboard.LOCATION   # photos asked, then skipped by 完成
    await say(services, RESIDENT, "瑞祥社区3号楼东侧")
    await say(services, RESIDENT, "跳过")
    number = number_in(await press_draft(services, RESIDENT, "ok"))
    assert (await request_row(services, number)).description == PETITION[:3000].strip()


async def test_a_long_first_message_starts_a_report_and_waits(services: Services,
                                                             clock) -> None:
    assert await send(services, RESIDENT, piece(PETITION[:2500], 3)) == []
    clock.advance(seconds=3)
    assert (await settle(services))[-1].keyboard == Keyboard.PHOTOS
