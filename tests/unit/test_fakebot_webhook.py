"""Webhook delivery to one or several bot instances, and the getUpdates conflicts, driven
through a real PTB `telegram.Bot` against the fake."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict

from tests.fakebot import FakeTelegram
from tests.unit.fakebot_support import started

USER = 1001  # odd: the second instance under per_chat balancing
OTHER = 1002  # even: the first
PUBLIC_URL = "https://bot.example.org/telegram"
SECRET = "s3cr3t-Token_1"


class Instance:
    """A bot instance's webhook endpoint: records what it accepts, answers scripted statuses."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.secrets: list[str | None] = []
        self.answers: list[int] = []  # statuses for the next posts; then 200
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        status = self.answers.pop(0) if self.answers else 200
        if status == 200:
            self.updates.append(await request.json())
        return web.Response(status=status)

    def texts(self) -> list[str]:
        return [update["message"]["text"] for update in self.updates]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/telegram"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with started((USER, "张三"), (OTHER, "李四"), flood_limits=False) as server:
        yield server


@pytest.fixture
async def instances() -> AsyncIterator[tuple[Instance, Instance]]:
    first, second = Instance(), Instance()
    await first.start()
    await second.start()
    yield first, second
    await first.stop()
    await second.stop()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/telegram"


# ---------------------------------------------------------------- one instance


async def test_webhook_posts_with_secret_and_retries(
    fake: FakeTelegram, bot: telegram.Bot, instances: tuple[Instance, Instance]
):
    instance, _ = instances
    assert await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
    fake.route_webhook(instance.url)
    fake.send_text(USER, "一")
    await fake.wait_until(lambda: len(instance.updates) == 1, timeout=5)
    update = telegram.Update.de_json(instance.updates[0], bot)
    assert update.message.text == "一" and instance.secrets == [SECRET]

    instance.answers = [500, 502]
    fake.send_text(USER, "二")
    await fake.wait_until(lambda: len(instance.updates) == 2, timeout=5)
    assert [post.status for post in fake.webhook_posts] == [200, 500, 502, 200]
    assert {post.update_id for post in fake.webhook_posts[1:]} == {fake.delivered[-1]}
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (PUBLIC_URL, 0)
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"

    fake.redeliver(update.update_id)
    await fake.wait_until(lambda: len(instance.updates) == 3, timeout=5)
    assert instance.updates[2] == instance.updates[0]

    with pytest.raises(Conflict) as info_conflict:
        await bot.get_updates(timeout=0)
    assert info_conflict.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    assert await bot.delete_webhook()
    fake.send_text(USER, "三")
    assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["三"]
    assert len(instance.updates) == 3


async def test_unreachable_instance_keeps_the_update(
    fake: FakeTelegram, bot: telegram.Bot, instances: tuple[Instance, Instance]
):
    instance, _ = instances
    await bot.set_webhook(PUBLIC_URL)
    fake.route_webhook(closed_port_url())
    fake.send_text(USER, "等着")
    await fake.wait_until(lambda: len(fake.webhook_posts) >= 2, timeout=5)
    assert fake.webhook_posts[0].error == "Connection refused"
    assert (await bot.get_webhook_info()).pending_update_count == 1
    fake.route_webhook(instance.url)
    await fake.wait_until(lambda: instance.texts() == ["等着"], timeout=5)
    assert instance.secrets == [None]  # no secret_token was set


# ---------------------------------------------------------------- behind a load balancer


async def test_round_robin_over_two_instances(
    fake: FakeTelegram, bot: telegram.Bot, instances: tuple[Instance, Instance]
):
    first, second = instances
    await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
    fake.route_webhook(first.url, second.url)
    for text in ("1", "2", "3", "4"):
        fake.send_text(USER, text)
    await fake.wait_until(lambda: len(first.updates) + len(second.updates) == 4, timeout=5)
    assert (first.texts(), second.texts()) == (["1", "3"], ["2", "4"])

    first.answers = [503]  # the balancer sends the retry to the other instance
    fake.send_text(USER, "5")
    await fake.wait_until(lambda: second.texts()[-1:] == ["5"], timeout=5)
    assert [(p.url, p.status) for p in fake.webhook_posts[-2:]] == [
        (first.url, 503),
        (second.url, 200),
    ]


async def test_per_chat_balancing_keeps_a_chat_on_one_instance(
    fake: FakeTelegram, bot: telegram.Bot, instances: tuple[Instance, Instance]
):
    first, second = instances
    await bot.set_webhook(PUBLIC_URL)
    fake.route_webhook(first.url, second.url, balance="per_chat")
    for text in ("a1", "b1", "a2", "b2"):
        fake.send_text(USER if text[0] == "a" else OTHER, text)
    await fake.wait_until(lambda: len(first.updates) + len(second.updates) == 4, timeout=5)
    assert (first.texts(), second.texts()) == (["b1", "b2"], ["a1", "a2"])


async def test_set_webhook_options(fake: FakeTelegram, bot: telegram.Bot):
    fake.send_text(USER, "旧的")
    await bot.set_webhook(PUBLIC_URL, allowed_updates=["message"], drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert (info.pending_update_count, info.allowed_updates) == (0, ("message",))
    with pytest.raises(telegram.error.BadRequest):
        await bot.set_webhook(PUBLIC_URL, secret_token="有空格 的")


# ---------------------------------------------------------------- two pollers


async def test_second_poller_terminates_the_first(fake: FakeTelegram, bot: telegram.Bot):
    async with telegram.Bot(fake.token, base_url=fake.api_url) as other:
        polling = fake.wait_polling(timeout=5)
        first = asyncio.ensure_future(bot.get_updates(timeout=30))
        await polling
        assert await other.get_updates(timeout=0) == ()
        with pytest.raises(Conflict) as info:
            await asyncio.wait_for(first, 5)
    assert info.value.message == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
