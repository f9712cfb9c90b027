"""End to end, the residents' side: long descriptions, no place, edits, /my, privacy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import create_engine, session_factory
from storage.models import Event, Request
from tests.e2e.conftest import ASSIGNEE, MUNICIPAL_GROUP, NEIGHBOUR, RESIDENT
from tests.e2e.test_bot import BotProcess, exchange, number_of, press, report, say
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.e2e

LINE = "尊敬的领导：瑞祥社区3号楼门口的路灯坏了好几天，晚上黑漆漆的，老人出门很危险。\n"


def petition(length: int) -> str:
    """`length` characters of a petition, ending in a character that is not a space."""
    return (LINE * (length // len(LINE) + 1))[:length - 1] + "此"


def full_text(fake: FakeTelegram, chat: int, number: str) -> str:
    pieces = [m.text or "" for m in fake.messages_to(chat)
              if (m.text or "").startswith(f"全文 {number}")]
    return "".join(p.split("\n", 1)[1] for p in pieces)


async def rows(database_url: str, model: type, *where: object) -> list:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        found = list((await session.execute(select(model).where(*where))).scalars())
    await engine.dispose()
    return found


async def test_a_4000_character_description_reaches_the_department_whole(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    text = petition(4000)
    number = await report(fake, RESIDENT, text)
    card = await fake.wait_for(ASSIGNEE, contains=number)
    assert "全文共 4000 字" in (card.text or "") and card.buttons == ["接单", "退单"]
    await fake.wait_until(lambda: full_text(fake, ASSIGNEE, number) == text.strip())
    await fake.wait_until(lambda: full_text(fake, MUNICIPAL_GROUP, number) == text.strip())
    assert (await rows(database_url, Request, Request.number == number))[0].description \
        == text.strip()
    assert fake.errors_with(400) == []


async def test_a_paste_split_in_two_is_one_description(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    text = petition(6000)
    await say(fake, NEIGHBOUR, "/new", "请描述")
    mark = fake.mark()
    fake.send_text(NEIGHBOUR, text[:4096])   # the client's split, sent at once
    fake.send_text(NEIGHBOUR, text[4096:])
    asked = await fake.wait_for(NEIGHBOUR, contains="照片", since=mark)
    assert [m for m in fake.messages_to(NEIGHBOUR)[-3:] if "这一步请发送照片" in (m.text or "")
            ] == []   # no stray answer to the photos step
    assert asked.text
    await say(fake, NEIGHBOUR, "完成", "在哪里")
    await say(fake, NEIGHBOUR, "瑞祥社区3号楼东侧", "联系电话")
    summary = await say(fake, NEIGHBOUR, "跳过", "确认提交")
    number = number_of(await press(fake, NEIGHBOUR, summary, "✅ 确认提交", "已提交"))
    assert (await rows(database_url, Request, Request.number == number))[0].description \
        == text.strip()
    assert fake.errors_with(400) == []


async def test_a_consultation_without_an_address_and_an_edited_description(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    await say(fake, RESIDENT, "/new", "请描述")
    mark = fake.mark()
    sent = fake.send_text(RESIDENT, "请问医保报销怎么般")
    await fake.wait_for(RESIDENT, contains="照片", since=mark)
    await exchange(fake, RESIDENT, lambda: fake.edit_text(RESIDENT, sent, "请问医保报销怎么办理"),
                   "已按您修改")
    asked = await say(fake, RESIDENT, "完成", "不涉及具体地点")
    assert asked.text
    await say(fake, RESIDENT, "不涉及具体地点", "联系电话")
    summary = await say(fake, RESIDENT, "跳过", "确认提交")
    assert "请问医保报销怎么办理" in (summary.text or "")
    assert "地点：不涉及具体地点" in (summary.text or "")
    number = number_of(await press(fake, RESIDENT, summary, "✅ 确认提交", "已提交"))
    req = (await rows(database_url, Request, Request.number == number))[0]
    assert (req.description, req.address, req.latitude) == ("请问医保报销怎么办理", None, None)
    submitted = (await rows(database_url, Event, Event.request_id == req.id,
                            Event.kind == "submit"))[0]
    # not territorial: routed without a place (the fake's 医疗保障局 staff never opened the
    # bot, so the card then comes back to the office as unreachable)
    assert (submitted.to_status, submitted.detail["department"]) == ("dispatched",
                                                                     "medinsurance")
    hint = await exchange(fake, RESIDENT, lambda: fake.edit_text(RESIDENT, sent, "改一下"),
                          "补充材料")
    assert "/my" in (hint.text or "")
    assert fake.errors_with(400) == []


async def test_my_detail_add_information_urge_withdraw_and_erase(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
    other = await report(fake, RESIDENT, "瑞祥社区5号楼的路灯也不亮了")
    listing = await say(fake, RESIDENT, "/my", "我的诉求")
    fake.press(RESIDENT, listing, next(b for b in listing.buttons if b.startswith(number)))
    detail = await fake.wait_edit(listing, contains="办理经过")
    assert detail.buttons == ["📎 补充材料", "⏰ 催办", "撤回", "« 返回列表"]

    # 补充材料 reaches the department's assignee
    await press(fake, RESIDENT, detail, "📎 补充材料", "请发送要补充")
    await say(fake, RESIDENT, "灯杆编号 A-17", "已补充")
    await fake.wait_for(ASSIGNEE, contains="A-17")

    # 催办 twice in a day: the second is refused
    urged = fake.press(RESIDENT, detail, "⏰ 催办")
    assert "已为诉求" in (await fake.wait_callback_answer(urged))["text"]
    await fake.wait_for(ASSIGNEE, contains="群众催办")
    again = fake.press(RESIDENT, detail, "⏰ 催办")
    assert "24 小时内" in (await fake.wait_callback_answer(again))["text"]
    assert (await rows(database_url, Request, Request.number == number))[0].urge_count == 1

    # 撤回 the other one, confirmed
    listing = await say(fake, RESIDENT, "/my", "我的诉求")
    fake.press(RESIDENT, listing, next(b for b in listing.buttons if b.startswith(other)))
    detail = await fake.wait_edit(listing, contains=other)
    question = await press(fake, RESIDENT, detail, "撤回", "确定要撤回")
    await press(fake, RESIDENT, question, "确认撤回", "已撤回")
    await fake.wait_for(ASSIGNEE, contains="已由群众撤回")
    assert (await rows(database_url, Request, Request.number == other))[0].status == "withdrawn"

    # /privacy, then /delete_my_data confirmed
    await say(fake, RESIDENT, "/privacy", "谁能看到")
    asked = await say(fake, RESIDENT, "/delete_my_data", "确定要删除")
    fake.press(RESIDENT, asked, "确认删除")
    await fake.wait_edit(asked, contains="已删除您 2 条诉求")
    for req in await rows(database_url, Request, Request.resident_id == RESIDENT):
        assert (req.resident_name, req.phone, req.address) == (None, None, None)
    mine = await rows(database_url, Event, Event.actor_role == "resident")
    assert mine and all(e.actor_id is None for e in mine)
    assert fake.errors_with(400) == []


async def test_a_neighbour_joins_the_same_problem_plus_one(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
    card = await fake.wait_for(ASSIGNEE, contains=number)

    # the neighbour's report of the same problem at the same building is offered to join
    await say(fake, NEIGHBOUR, "/new", "请描述")
    await say(fake, NEIGHBOUR, "3号楼门口路灯不亮，晚上很黑", "照片")
    await say(fake, NEIGHBOUR, "完成", "在哪里")
    offer = await say(fake, NEIGHBOUR, "瑞祥社区3号楼", "附近已有相同问题")
    assert number in (offer.text or "") and offer.buttons == ["👍 加入（+1）", "仍然新建"]
    joined = await press(fake, NEIGHBOUR, offer, "👍 加入（+1）", "已加入诉求")
    assert "2 位居民" in (joined.text or "")
    told = await fake.wait_for(ASSIGNEE, contains="又有一位居民反映")
    assert number in (told.text or "") and "涉及居民 2 人" in (told.text or "")

    # the staff's card counts them; the neighbour hears the acceptance and the answer
    fake.press(ASSIGNEE, card, "接单")
    accepted = await fake.wait_edit(card, contains="已接单")
    assert "涉及居民：2 人" in (accepted.text or "")
    await fake.wait_for(NEIGHBOUR, contains="受理")
    await press(fake, ASSIGNEE, card, "办结", "答复内容")
    await say(fake, ASSIGNEE, "已更换灯泡", "已办结")
    answer = await fake.wait_for(NEIGHBOUR, contains="已更换灯泡")
    assert "您关注（+1）的诉求" in (answer.text or "") and answer.buttons == []
    survey = await fake.wait_for(RESIDENT, contains="已更换灯泡")
    assert survey.buttons == ["满意", "基本满意", "不满意"]   # the survey: the reporter's

    listing = await say(fake, NEIGHBOUR, "/my", "我的诉求")
    assert number in (listing.text or "") and "已关注" in (listing.text or "")
    assert len(await rows(database_url, Request)) == 1
    assert fake.errors_with(400) == []


async def test_a_follow_up_message_urges_the_open_request(
        fake: FakeTelegram, running_bot: BotProcess, database_url: str) -> None:
    number = await report(fake, RESIDENT, "瑞祥社区3号楼门口的路灯坏了好几天")
    offer = await say(fake, RESIDENT, "怎么还没人来修", "已经反映过的诉求")
    assert offer.buttons[0].startswith(number) and offer.buttons[-1] == "🆕 这是新问题"
    await press(fake, RESIDENT, offer, offer.buttons[0], "已为诉求")
    await fake.wait_for(ASSIGNEE, contains="群众催办")
    assert (await rows(database_url, Request, Request.number == number))[0].urge_count == 1
    assert fake.errors_with(400) == []
