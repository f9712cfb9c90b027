"""Webhook delivery: POST queued updates to the instances behind the registered URL.

The bot registers a public https URL (setWebhook) that the tests cannot reach; the test
names the local URLs that stand behind it — one instance, or several behind a load
balancer — with `route_webhook`. Updates then go out one at a time, in update_id order,
with Telegram's secret-token header; a non-2xx answer or a failed connection is retried
(the update stays at the head of the queue), as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp

from .state import FakeState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BALANCES = ("round_robin", "per_chat")


@dataclass(frozen=True)
class WebhookPost:
    """One delivery attempt: which update went to which instance and how it answered."""

    update_id: int
    url: str
    status: int | None  # None: no HTTP answer (connection refused, reset, timeout)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _error_message(post: WebhookPost) -> str:
    """getWebhookInfo.last_error_message as Telegram words it."""
    if post.status is None:
        return post.error or "Connection failed"
    try:
        phrase = HTTPStatus(post.status).phrase
    except ValueError:
        phrase = ""
    return f"Wrong response from the webhook: {post.status} {phrase}".rstrip()


def update_chat_id(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (the sender for chat-less ones), for per-chat balancing."""
    for key, obj in update.items():
        if key == "update_id" or not isinstance(obj, dict):
            continue
        chat = obj.get("chat") or (obj.get("message") or {}).get("chat")
        if chat:
            return int(chat["id"])
        sender = obj.get("from")
        if sender:
            return int(sender["id"])
    return None


class WebhookMixin(FakeState):
    def init_webhook(self) -> None:
        self.webhook_targets: list[str] = []
        self.webhook_balance = "round_robin"
        self.webhook_retry_delay = 0.05
        self.webhook_posts: list[WebhookPost] = []
        self.webhook_last_error: tuple[int, str] | None = None
        self._next_target = 0
        self._delivery: asyncio.Task[None] | None = None

    def route_webhook(
        self, *urls: str, balance: str = "round_robin", retry_delay: float = 0.05
    ) -> None:
        """Deliver the webhook's updates to these local URLs (the instances behind the URL the
        bot registered): `round_robin` (each attempt, retries included, to the next instance)
        or `per_chat` (urls[abs(chat_id) % len(urls)], so one chat stays on one instance).
        A failed attempt is retried after `retry_delay` seconds. No urls: stop delivering
        (updates stay queued, e.g. for take_updates)."""
        if balance not in BALANCES:
            raise AssertionError(f"balance must be one of {BALANCES}")
        self.webhook_targets = list(urls)
        self.webhook_balance = balance
        self.webhook_retry_delay = retry_delay
        self._next_target = 0
        self._signal.notify()

    def webhook_target(self, update: dict[str, Any]) -> str:
        """The instance the next attempt to deliver `update` goes to."""
        if self.webhook_balance == "per_chat":
            chat_id = update_chat_id(update) or 0
            return self.webhook_targets[abs(chat_id) % len(self.webhook_targets)]
        url = self.webhook_targets[self._next_target % len(self.webhook_targets)]
        self._next_target += 1
        return url

    def webhook_info(self) -> dict[str, Any]:
        """getWebhookInfo's WebhookInfo, with Telegram's last-error fields once one happened."""
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self.allowed_updates:
                info["allowed_updates"] = list(self.allowed_updates)
        if self.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_last_error
        return info

    # ------------------------------------------------------------ the delivery loop

    def start_delivery(self) -> None:
        self._delivery = asyncio.get_running_loop().create_task(self._deliver_forever())

    async def stop_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.cancel()
            await asyncio.gather(self._delivery, return_exceptions=True)
            self._delivery = None

    def _delivering(self) -> bool:
        return bool(self.webhook_url and self.webhook_targets and self._updates)

    async def _deliver_forever(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            while not self._closing:
                await self._signal.wait_until(lambda: self._closing or self._delivering(), 3600)
                if self._closing or not self._delivering():
                    continue
                update = self._updates[0]
                if await self._post(http, update):
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    self.hand_out([update])
                    self._signal.notify()
                else:
                    await asyncio.sleep(self.webhook_retry_delay)

    async def _post(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        """POST one update to its instance; record the attempt; True on a 2xx answer."""
        url = self.webhook_target(update)
        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            headers[SECRET_HEADER] = self.webhook_secret
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                post = WebhookPost(update["update_id"], url, response.status)
        except aiohttp.ClientConnectorError:
            post = WebhookPost(update["update_id"], url, None, "Connection refused")
        except (aiohttp.ClientError, TimeoutError) as exc:
            post = WebhookPost(update["update_id"], url, None, type(exc).__name__)
        self.webhook_posts.append(post)
        if not post.ok:
            self.webhook_last_error = (int(time.time()), _error_message(post))
        self._signal.notify()
        return post.ok
