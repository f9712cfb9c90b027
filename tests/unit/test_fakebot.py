"""The fake Telegram server must be as strict as Telegram; these tests pin each rule."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.fakebot import FakeTelegram, utf16_len
from tests.unit.fakebot_support import OTHER, USER, Clock, started

GROUP = -100123


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with started((USER, "张三"), flood_limits=False) as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http


async def call(
    client: httpx.AsyncClient, fake: FakeTelegram, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST like PTB does: form fields, nested values as JSON strings."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = await client.post(f"{fake.url}/bot{fake.token}/{method}", data=form)
    return response.status_code, response.json()


async def send(
    client: httpx.AsyncClient, fake: FakeTelegram, text: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    return await call(client, fake, "sendMessage", chat_id=USER, text=text, **params)


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


# ---------------------------------------------------------------- transport


async def test_accepts_json_form_and_multipart(fake: FakeTelegram, client: httpx.AsyncClient):
    base = f"{fake.url}/bot{fake.token}"
    as_json = await client.post(f"{base}/sendMessage", json={"chat_id": USER, "text": "j"})
    as_form = await client.post(f"{base}/sendMessage", data={"chat_id": str(USER), "text": "f"})
    as_multipart = await client.post(
        f"{base}/sendPhoto",
        data={"chat_id": str(USER), "caption": "m"},
        files={"photo": ("p.jpg", b"\xff\xd8jpeg", "image/jpeg")},
    )
    as_query = await client.post(f"{base}/sendMessage?chat_id={USER}&text=q")
    assert [r.status_code for r in (as_json, as_form, as_multipart, as_query)] == [200] * 4
    assert [m.text for m in fake.sent] == ["j", "f", "m", "q"]
    assert fake.sent[2].file_bytes == b"\xff\xd8jpeg"
    assert as_json.json()["result"]["chat"] == {"id": USER, "type": "private", "first_name": "张三"}


async def test_unknown_method_and_wrong_token(fake: FakeTelegram, client: httpx.AsyncClient):
    unknown = await client.post(f"{fake.url}/bot{fake.token}/sendTelepathy")
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    wrong = await client.post(f"{fake.url}/bot999:WRONG/getMe")
    assert wrong.status_code == 401
    assert wrong.json()["description"] == "Unauthorized"
    assert [(e.status, e.method) for e in fake.errors] == [(404, "sendTelepathy"), (401, "getMe")]
    assert fake.errors_with(401)[0].description == "Unauthorized"


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    "text",
    [
        "a < b",
        "a > b",
        "AT&T",
        "&nbsp;",
        "<b>unclosed",
        "<b><i>x</b></i>",
        "line<br>break",
        "<span>x</span>",
        "<div>x</div>",
        "</b>",
        "<a href='x'>a</a> & more",
        "<blockquote>a<blockquote>b</blockquote></blockquote>",
    ],
)
async def test_html_rejects_what_telegram_rejects(
    fake: FakeTelegram, client: httpx.AsyncClient, text: str
):
    status, body = await send(client, fake, text, parse_mode="HTML")
    assert status == 400, text
    assert body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith("Bad Request: can't parse entities:")
    assert fake.sent == []
    assert fake.errors[-1].chat_id == USER


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("&lt;b&gt; &amp; &quot;x&quot; &#39;y&#x27; &#20013;", "<b> & \"x\" 'y' 中"),
        ('<a href="https://e.x/?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler>', "s t"),
        ('<pre><code class="language-python">print(1 &lt; 2)</code></pre>', "print(1 < 2)"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<b>bold <i>both</i></b><u>u</u><s>s</s><code>c</code>", "bold bothusc"),
    ],
)
async def test_html_accepts_telegram_tags(
    fake: FakeTelegram, client: httpx.AsyncClient, text: str, visible: str
):
    status, body = await send(client, fake, text, parse_mode="HTML")
    assert status == 200, body
    assert body["result"]["text"] == visible
    assert fake.sent[0].text == visible and fake.sent[0].raw_text == text


async def test_html_entities_offsets_are_utf16(fake: FakeTelegram, client: httpx.AsyncClient):
    status, body = await send(client, fake, "😀 <b>粗体</b>", parse_mode="html")
    assert status == 200
    assert body["result"]["entities"] == [{"type": "bold", "offset": 3, "length": 2}]


@pytest.mark.parametrize(
    "text", ["1.5", "a-b", "done!", "(x)", "*unclosed", "_a *b_ c*", "[x]", "a\\"]
)
async def test_markdown_v2_rejects_unescaped(
    fake: FakeTelegram, client: httpx.AsyncClient, text: str
):
    status, body = await send(client, fake, text, parse_mode="MarkdownV2")
    assert status == 400, text
    assert "can't parse entities" in body["description"]


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("1\\.5 a\\-b done\\!", "1.5 a-b done!"),
        ("*b* _i_ __u__ ~s~ ||sp||", "b i u s sp"),
        ("[link](https://e.x/a\\)b)", "link"),
        ("`code.with-dots!`", "code.with-dots!"),
        ("```python\nprint(1)\n```", "print(1)\n"),
        (">quoted line", "quoted line"),
    ],
)
async def test_markdown_v2_accepts_valid(
    fake: FakeTelegram, client: httpx.AsyncClient, text: str, visible: str
):
    status, body = await send(client, fake, text, parse_mode="MarkdownV2")
    assert status == 200, body
    assert body["result"]["text"] == visible


async def test_unknown_parse_mode(fake: FakeTelegram, client: httpx.AsyncClient):
    status, body = await send(client, fake, "x", parse_mode="BBCode")
    assert (status, body["description"]) == (400, "Bad Request: unsupported parse_mode")


@pytest.mark.parametrize(("text", "mode"), [("", None), ("   \n", None), ("<b></b>", "HTML")])
async def test_empty_text(fake: FakeTelegram, client: httpx.AsyncClient, text: str, mode: Any):
    params = {"parse_mode": mode} if mode else {}
    status, body = await send(client, fake, text, **params)
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_length_limits_count_utf16_after_markup(
    fake: FakeTelegram, client: httpx.AsyncClient
):
    too_long = "Bad Request: message is too long"
    assert (await send(client, fake, "a" * 4096))[0] == 200
    assert (await send(client, fake, "a" * 4097))[1]["description"] == too_long
    assert utf16_len("😀" * 2048) == 4096
    assert (await send(client, fake, "😀" * 2048))[0] == 200
    assert (await send(client, fake, "😀" * 2049))[1]["description"] == too_long
    status, _ = await send(client, fake, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")
    assert status == 200


async def test_caption_limit(fake: FakeTelegram, client: httpx.AsyncClient):
    base = f"{fake.url}/bot{fake.token}/sendPhoto"
    photo = {"photo": ("p.jpg", b"jpeg", "image/jpeg")}
    ok = await client.post(base, data={"chat_id": str(USER), "caption": "c" * 1024}, files=photo)
    assert ok.status_code == 200
    bad = await client.post(base, data={"chat_id": str(USER), "caption": "c" * 1025}, files=photo)
    assert bad.status_code == 400
    assert bad.json()["description"] == "Bad Request: message caption is too long"


async def test_photo_file_id_must_exist(fake: FakeTelegram, client: httpx.AsyncClient):
    status, body = await call(client, fake, "sendPhoto", chat_id=USER, photo="nonsense")
    assert status == 400 and "wrong file identifier" in body["description"]
    fake.send_photo(USER)
    photo_id = fake._inbound[(USER, 1)]["photo"][-1]["file_id"]
    status, body = await call(client, fake, "sendPhoto", chat_id=USER, photo=photo_id)
    assert status == 200 and body["result"]["photo"][-1]["file_id"] == photo_id


# ---------------------------------------------------------------- keyboards


DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
NO_ACTION = "Bad Request: can't parse inline keyboard button: Text buttons are unallowed"


@pytest.mark.parametrize(
    ("button", "error"),
    [
        ({"text": "a", "callback_data": "x" * 64}, None),
        ({"text": "a", "callback_data": "x" * 65}, DATA_INVALID),
        ({"text": "a", "callback_data": "办" * 22}, DATA_INVALID),  # 66 bytes
        ({"text": "a", "callback_data": "办" * 21}, None),  # 63 bytes
        ({"text": "a", "callback_data": ""}, DATA_INVALID),
        ({"text": "a", "url": "https://e.x"}, None),
        ({"text": "a", "url": "e.x"}, "Bad Request: inline keyboard button URL"),
        ({"text": "a"}, NO_ACTION),
        ({"callback_data": "x"}, "Bad Request: can't parse inline keyboard button"),
        ({"text": "", "callback_data": "x"}, "Bad Request: text buttons must have non-empty"),
        ({"text": "a", "callback_data": "x", "url": "https://e.x"}, "Bad Request: can't parse"),
    ],
)
async def test_inline_buttons(
    fake: FakeTelegram, client: httpx.AsyncClient, button: dict[str, Any], error: str | None
):
    status, body = await send(client, fake, "k", reply_markup=keyboard(button))
    if error is None:
        assert status == 200, body
    else:
        assert status == 400 and body["description"].startswith(error), body


@pytest.mark.parametrize(
    ("markup", "ok"),
    [
        (
            {
                "keyboard": [[{"text": "分享手机号", "request_contact": True}], ["位置"]],
                "resize_keyboard": True,
                "one_time_keyboard": True,
                "is_persistent": False,
                "input_field_placeholder": "请选择",
            },
            True,
        ),
        ({"keyboard": [[{"text": "x", "request_location": True}]]}, True),
        ({"remove_keyboard": True}, True),
        ({"force_reply": True, "input_field_placeholder": "原因"}, True),
        ({"remove_keyboard": False}, False),
        ({"keyboard": []}, False),
        ({"keyboard": [[{"text": "x", "request_contact": True, "request_location": True}]]}, False),
        ({"keyboard": [["x"]], "resize_keyboard": "yes"}, False),
        ({"something": 1}, False),
        ("not-json", False),
    ],
)
async def test_reply_keyboards(
    fake: FakeTelegram, client: httpx.AsyncClient, markup: Any, ok: bool
):
    status, body = await send(client, fake, "k", reply_markup=markup)
    assert (status == 200) is ok, body


async def test_sent_message_buttons(fake: FakeTelegram, client: httpx.AsyncClient):
    markup = {
        "inline_keyboard": [
            [
                {"text": "接单", "callback_data": "acc:1"},
                {"text": "退单", "callback_data": "ret:1"},
            ],
            [{"text": "帮助", "url": "https://e.x"}],
        ]
    }
    await send(client, fake, "任务", reply_markup=markup)
    message = fake.sent[0]
    assert message.buttons == ["接单", "退单", "帮助"]
    assert message.button_data("退单") == "ret:1"
    with pytest.raises(AssertionError, match="接单"):
        message.button_data("不存在")
    with pytest.raises(AssertionError, match="退单"):
        fake.press(USER, message, "不存在")


# ---------------------------------------------------------------- edits


async def test_edit_rules(fake: FakeTelegram, client: httpx.AsyncClient):
    markup = keyboard({"text": "确认", "callback_data": "ok"})
    _, body = await send(client, fake, "<b>状态</b>", parse_mode="HTML", reply_markup=markup)
    message_id = body["result"]["message_id"]
    message = fake.sent[0]
    ids = {"chat_id": USER, "message_id": message_id}

    status, body = await call(
        client, fake, "editMessageText", text="状态", entities=[], reply_markup=markup, **ids
    )
    assert status == 200  # bold entity dropped: content changed
    status, body = await call(
        client, fake, "editMessageText", text="状态", reply_markup=markup, **ids
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    status, _ = await call(client, fake, "editMessageReplyMarkup", reply_markup=markup, **ids)
    assert status == 400
    waiter = asyncio.ensure_future(fake.wait_edit(message, contains="已办结", timeout=5))
    status, body = await call(client, fake, "editMessageText", text="已办结", **ids)
    assert status == 200 and "reply_markup" not in body["result"]
    edited = await waiter
    assert edited is message and message.buttons == [] and len(message.edits) == 2
    assert message.edits[0].text == "状态" and message.edits[0].buttons == ["确认"]

    status, body = await call(
        client, fake, "editMessageText", chat_id=USER, message_id=99, text="x"
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    fake.send_text(USER, "hi")
    user_message = message_id + 1
    status, body = await call(
        client, fake, "editMessageText", chat_id=USER, message_id=user_message, text="x"
    )
    assert body["description"] == "Bad Request: message can't be edited"


async def test_delete_message(fake: FakeTelegram, client: httpx.AsyncClient):
    _, body = await send(client, fake, "x")
    ids = {"chat_id": USER, "message_id": body["result"]["message_id"]}
    assert (await call(client, fake, "deleteMessage", **ids))[0] == 200
    assert fake.sent[0].deleted
    status, body = await call(client, fake, "deleteMessage", **ids)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    status, body = await call(client, fake, "editMessageText", text="y", **ids)
    assert body["description"] == "Bad Request: message to edit not found"


# ---------------------------------------------------------------- callback queries


async def test_answer_callback_query(fake: FakeTelegram, client: httpx.AsyncClient):
    await send(client, fake, "x", reply_markup=keyboard({"text": "好", "callback_data": "d"}))
    query_id = fake.press(USER, fake.sent[0], "好")
    _, body = await call(client, fake, "getUpdates")
    query = body["result"][0]["callback_query"]
    assert query["id"] == query_id and query["data"] == "d"
    assert query["message"]["message_id"] == fake.sent[0].message_id

    status, _ = await call(
        client, fake, "answerCallbackQuery", callback_query_id=query_id, text="收到"
    )
    assert status == 200
    assert await fake.wait_callback_answer(query_id, timeout=1) == {
        "text": "收到",
        "show_alert": False,
        "url": None,
        "cache_time": None,
    }
    again = await call(client, fake, "answerCallbackQuery", callback_query_id=query_id)
    unknown = await call(client, fake, "answerCallbackQuery", callback_query_id="42")
    for status, body in (again, unknown):
        assert status == 400 and "query is too old" in body["description"]
    forged = fake.press_data(USER, fake.sent[0], "admin:drop_table")
    long_text = await call(
        client, fake, "answerCallbackQuery", callback_query_id=forged, text="x" * 201
    )
    assert long_text[0] == 400
    assert (await call(client, fake, "answerCallbackQuery", callback_query_id=forged))[0] == 200


# ---------------------------------------------------------------- chats and permissions


async def test_chat_permissions(fake: FakeTelegram, client: httpx.AsyncClient):
    fake.add_user(OTHER, "李四", opened=False)
    cant = "Forbidden: bot can't initiate conversation with a user"
    status, body = await call(client, fake, "sendMessage", chat_id=OTHER, text="hi")
    assert (status, body["description"]) == (403, cant)
    status, body = await call(client, fake, "sendMessage", chat_id=555, text="hi")
    assert (status, body["description"]) == (403, cant)
    fake.send_text(OTHER, "/start")
    assert (await call(client, fake, "sendMessage", chat_id=OTHER, text="hi"))[0] == 200

    fake.block(USER)
    status, body = await send(client, fake, "hi")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    status, _ = await call(client, fake, "sendChatAction", chat_id=USER, action="typing")
    assert status == 403

    status, body = await call(client, fake, "sendMessage", chat_id=GROUP, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    fake.add_group(GROUP, "连心服务办公室")
    status, body = await call(client, fake, "sendMessage", chat_id=GROUP, text="hi")
    assert status == 200 and body["result"]["chat"]["type"] == "group"
    assert [e.status for e in fake.errors] == [403, 403, 403, 403, 400]


async def test_commands(fake: FakeTelegram, client: httpx.AsyncClient):
    commands = [
        {"command": "start", "description": "开始"},
        {"command": "my_list", "description": "我的"},
    ]
    assert (await call(client, fake, "setMyCommands", commands=commands))[0] == 200
    scope = {"type": "chat", "chat_id": USER}
    assert (await call(client, fake, "setMyCommands", commands=commands[:1], scope=scope))[0] == 200
    assert fake.commands == {"default": commands, f"chat:{USER}": commands[:1]}
    _, body = await call(client, fake, "getMyCommands", scope=scope)
    assert body["result"] == commands[:1]

    fake.add_user(OTHER, "李四", opened=False)
    closed = {"type": "chat", "chat_id": OTHER}
    status, body = await call(client, fake, "setMyCommands", commands=commands, scope=closed)
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    for bad in (
        {"command": "Start", "description": "x"},
        {"command": "a" * 33, "description": "x"},
        {"command": "with-dash", "description": "x"},
        {"command": "ok", "description": ""},
        {"command": "ok", "description": "x" * 257},
    ):
        status, _ = await call(client, fake, "setMyCommands", commands=[bad])
        assert status == 400, bad
    assert (await call(client, fake, "deleteMyCommands", scope=scope))[0] == 200
    assert list(fake.commands) == ["default"]


# ---------------------------------------------------------------- flood limits


async def test_flood_per_private_chat_bucket(client: httpx.AsyncClient):
    clock = Clock()
    async with FakeTelegram(clock=clock) as fake:
        fake.add_user(USER, "张三")
        for _ in range(5):
            assert (await send(client, fake, "x"))[0] == 200
        status, body = await send(client, fake, "x")
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        status, _ = await call(client, fake, "sendChatAction", chat_id=USER, action="typing")
        assert status == 200  # not a message
        clock.now += 1.0
        assert (await send(client, fake, "x"))[0] == 200
        assert (await send(client, fake, "x"))[0] == 429
        clock.now += 2.0
        ids = {"chat_id": USER, "message_id": fake.sent[-1].message_id}
        assert (await call(client, fake, "editMessageText", text="y", **ids))[0] == 200
        assert (await call(client, fake, "editMessageText", text="z", **ids))[0] == 200
        assert (await call(client, fake, "editMessageText", text="w", **ids))[0] == 429
        assert len(fake.errors_with(429)) == 3 and len(fake.sent) == 6


async def test_flood_per_group_and_global(client: httpx.AsyncClient):
    clock = Clock()
    async with FakeTelegram(clock=clock) as fake:
        fake.add_group(GROUP, "群")
        for _ in range(20):
            clock.now += 0.1
            assert (await call(client, fake, "sendMessage", chat_id=GROUP, text="x"))[0] == 200
        status, body = await call(client, fake, "sendMessage", chat_id=GROUP, text="x")
        assert status == 429 and body["parameters"]["retry_after"] == 59
        clock.now += 60.0
        for user_id in range(2000, 2030):
            fake.add_user(user_id, "u")
            assert (await call(client, fake, "sendMessage", chat_id=user_id, text="x"))[0] == 200
        fake.add_user(3000, "u")
        assert (await call(client, fake, "sendMessage", chat_id=3000, text="x"))[0] == 429
        clock.now += 1.0
        assert (await call(client, fake, "sendMessage", chat_id=3000, text="x"))[0] == 200


# ---------------------------------------------------------------- getUpdates


async def test_get_updates_offset_limit_and_long_poll(
    fake: FakeTelegram, client: httpx.AsyncClient
):
    message_id = fake.send_text(USER, "/start 邀请码")
    fake.send_text(USER, "second")
    _, body = await call(client, fake, "getUpdates", limit=1)
    [first] = body["result"]
    assert first["message"]["message_id"] == message_id
    assert first["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert first["message"]["from"]["language_code"] == "zh-hans"
    _, body = await call(client, fake, "getUpdates", offset=first["update_id"] + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["second"]
    last = body["result"][0]["update_id"]

    polling = fake.wait_polling(timeout=5)
    poll = asyncio.ensure_future(call(client, fake, "getUpdates", offset=last + 1, timeout=30))
    await polling
    assert not poll.done()
    fake.send_location(USER, 39.9, 116.4)
    _, body = await asyncio.wait_for(poll, 5)
    assert body["result"][0]["message"]["location"] == {"latitude": 39.9, "longitude": 116.4}
    _, body = await call(client, fake, "getUpdates", offset=body["result"][0]["update_id"] + 1)
    assert body["result"] == []
    await fake.wait_updates_consumed(timeout=1)


async def test_wait_polling_counts_live_held_polls_only(fake: FakeTelegram):
    async with httpx.AsyncClient(timeout=10) as bot:
        poll = asyncio.ensure_future(call(bot, fake, "getUpdates", timeout=30))
        await fake.wait_polling(timeout=5, since=0)
        await fake.wait_polling(timeout=5)  # already held open by a connected client
        poll.cancel()
    assert await fake._signal.wait_until(lambda: not fake.polling_now(), 5)
    with pytest.raises(AssertionError, match="no getUpdates call"):
        await fake.wait_polling(timeout=0.05)
    assert fake.errors == []


async def test_second_poller_gets_conflict(fake: FakeTelegram, client: httpx.AsyncClient):
    polling = fake.wait_polling(timeout=5)
    first = asyncio.ensure_future(call(client, fake, "getUpdates", timeout=30))
    await polling
    async with httpx.AsyncClient() as other:
        second = asyncio.ensure_future(call(other, fake, "getUpdates", timeout=30))
        status, body = await asyncio.wait_for(first, 5)
        assert status == 409 and "terminated by other getUpdates" in body["description"]
        fake.send_text(USER, "x")
        assert (await asyncio.wait_for(second, 5))[0] == 200


async def test_webhook_blocks_get_updates(fake: FakeTelegram, client: httpx.AsyncClient):
    await call(client, fake, "setWebhook", url="https://e.x/hook")
    assert (await call(client, fake, "getUpdates"))[0] == 409
    fake.send_text(USER, "x")
    await call(client, fake, "deleteWebhook", drop_pending_updates=True)
    _, body = await call(client, fake, "getUpdates")
    assert body["result"] == []


# ---------------------------------------------------------------- faults and waiting


async def test_fault_injection(fake: FakeTelegram, client: httpx.AsyncClient):
    fake.fail_next("sendMessage", 502)
    fake.fail_next("sendMessage", 429, retry_after=7)
    assert (await send(client, fake, "x"))[0] == 502
    status, body = await send(client, fake, "x")
    assert (status, body["parameters"]) == (429, {"retry_after": 7})
    assert (await send(client, fake, "ok"))[0] == 200

    fake.drop_next("sendMessage")
    with pytest.raises(httpx.RemoteProtocolError):
        await send(client, fake, "lost")
    fake.drop_next("sendMessage", after_processing=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await send(client, fake, "delivered")
    assert [m.text for m in fake.sent] == ["ok", "delivered"]
    assert fake.dropped == ["sendMessage", "sendMessage"]
    assert [(e.status, e.chat_id) for e in fake.errors] == [(502, USER), (429, USER)]


async def test_wait_for_since_and_timeout_report(fake: FakeTelegram, client: httpx.AsyncClient):
    await send(client, fake, "旧消息")
    since = fake.mark()
    waiter = asyncio.ensure_future(fake.wait_for(USER, contains="消息", since=since, timeout=5))
    await send(client, fake, "<b>新消息</b>", parse_mode="HTML")
    assert (await waiter).text == "新消息"
    found = await fake.wait_for(USER, predicate=lambda m: m.parse_mode == "HTML", timeout=1)
    assert found.index == 1
    await send(client, fake, "<b>x", parse_mode="HTML")
    with pytest.raises(AssertionError) as info:
        await fake.wait_for(USER, contains="从未发送", timeout=0.05)
    report = str(info.value)
    assert "旧消息" in report and "新消息" in report and "can't parse entities" in report


# ---------------------------------------------------------------- python-telegram-bot


async def test_ptb_bot_round_trip(fake: FakeTelegram):
    bot = telegram.Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")
    async with bot:
        me = await bot.get_me()
        assert me.username == "lianxin_test_bot" and me.is_bot
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("接单", callback_data="accept:7")]])
        sent = await bot.send_message(USER, "<b>新任务</b>", parse_mode="HTML", reply_markup=markup)
        assert sent.text == "新任务" and sent.chat.id == USER
        assert fake.sent[0].buttons == ["接单"]

        fake.send_text(USER, "/start")
        query_id = fake.press(USER, fake.sent[0], "接单")
        updates = await bot.get_updates(timeout=0)
        assert updates[0].message.text == "/start"
        assert updates[0].message.from_user.language_code == "zh-hans"
        assert updates[0].message.entities[0].type == "bot_command"
        query = updates[1].callback_query
        assert (query.id, query.data) == (query_id, "accept:7")
        assert query.message.message_id == sent.message_id
        assert await query.answer("已接单")
        assert (await fake.wait_callback_answer(query_id, timeout=1))["text"] == "已接单"

        edited = await query.edit_message_text("已接单")
        assert edited.text == "已接单" and fake.sent[0].buttons == []
        with pytest.raises(BadRequest, match="not modified"):
            await query.edit_message_text("已接单")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(USER, "1 < 2", parse_mode="HTML")
        fake.block(USER)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(USER, "hi")


async def test_ptb_media_files_and_chat(fake: FakeTelegram):
    bot = telegram.Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url)
    async with bot:
        album = [InputMediaPhoto(b"one", caption="现场"), InputMediaPhoto(b"two")]
        messages = await bot.send_media_group(USER, album)
        assert len(messages) == 2 and messages[0].media_group_id == messages[1].media_group_id
        assert [m.method for m in fake.sent] == ["sendMediaGroup", "sendMediaGroup"]
        assert fake.sent[0].text == "现场" and fake.sent[1].file_bytes == b"two"

        fake.send_voice(USER, duration=3)
        fake.send_contact(USER, "+8613800000000")
        updates = await bot.get_updates(timeout=0)
        voice = updates[0].message.voice
        assert voice.file_size > 0
        assert updates[1].message.contact.user_id == USER
        file = await bot.get_file(voice.file_id)
        assert bytes(await file.download_as_bytearray()).startswith(b"fake-voice")
        sent_voice = await bot.send_voice(USER, voice.file_id, caption="回复")
        assert sent_voice.voice.file_id == voice.file_id
        location = await bot.send_location(USER, 39.9, 116.4)
        assert location.location.latitude == pytest.approx(39.9)
        chat = await bot.get_chat(USER)
        assert chat.first_name == "张三" and chat.type == "private"
        await bot.send_document(USER, b"a,b\n1,2\n", filename="ledger.csv")
        assert fake.sent[-1].document["file_name"] == "ledger.csv"
        assert fake.sent[-1].file_bytes == b"a,b\n1,2\n"

        fake.fail_next("sendMessage", 429, retry_after=3)
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(USER, "x")
        assert info.value.retry_after.total_seconds() == 3
