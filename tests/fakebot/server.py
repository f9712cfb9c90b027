"""FakeTelegram: an aiohttp server speaking the Bot API, plus helpers to drive and observe it."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .api_edit import EditMethods
from .api_meta import MetaMethods
from .errors import ApiError, TgError
from .events import EventsMixin
from .models import SentMessage
from .params import Params, read_params

logger = logging.getLogger(__name__)
Handler = Callable[[Params], Awaitable[Any]]
API_PATH = re.compile(r"^/bot([^/]*)/([A-Za-z]+)/?$")
FILE_PATH = re.compile(r"^/file/bot([^/]*)/(.+)$")
MESSAGE_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "sendmediagroup",
        "sendvoice",
        "sendlocation",
        "senddocument",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
STATUS_TEXT = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: injected failure",
    404: "Not Found",
    409: "Conflict: injected failure",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class _Fault:
    status: int | None  # None: drop the connection
    retry_after: int | None = None
    after_processing: bool = False

    def error(self) -> TgError:
        assert self.status is not None
        if self.status == 429:
            retry = self.retry_after if self.retry_after is not None else 1
            return TgError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        description = STATUS_TEXT.get(self.status, f"Error {self.status}")
        return TgError(self.status, description, retry_after=self.retry_after)


@dataclass
class FaultRule:
    """A standing fault made by FakeTelegram.inject_fault; `hits` counts the calls it failed."""

    method: str | None  # lower-case method name; None: any method
    chat_id: int | None  # None: any chat
    fault: _Fault
    remaining: int | None  # None: until cleared
    hits: int = 0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        return (self.method is None or self.method == method) and (
            self.chat_id is None or self.chat_id == chat_id
        )


class _Dropped(Exception):
    """Raised to close the connection without an HTTP response."""


class FakeTelegram(EditMethods, MetaMethods, EventsMixin):
    """A strict fake of the Telegram Bot API for end-to-end tests (see package docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "lianxin_test_bot",
        flood_limits: bool = True,
        clock: Callable[[], float] | None = None,
        first_update_id: int = 100_001,
    ) -> None:
        # first_update_id: where this fake's update ids start (a bot that keeps its database
        # across fakes would take a reused id for a redelivery, as it should)
        super().__init__(token, bot_username=bot_username, flood_limits=flood_limits,
                         clock=clock, first_update_id=first_update_id)
        self.url = ""
        self.dropped: list[str] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._rules: list[FaultRule] = []
        self._runner: web.AppRunner | None = None
        self._handlers = self._handler_table()
        self.init_webhook()

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: a poll whose client hung up (e.g. a killed bot) ends at once
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=2.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self.start_delivery()

    async def stop(self) -> None:
        self._closing = True
        self._signal.notify()
        await self.stop_delivery()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """Base URL for PTB's `base_url` (the token is appended by PTB)."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------ fault injection

    def fail_next(
        self, method: str, status: int = 502, count: int = 1, retry_after: int | None = None
    ) -> None:
        """The next `count` calls of `method` get this error (429 carries retry_after)."""
        faults = self._faults.setdefault(method.lower(), [])
        faults.extend(_Fault(status, retry_after) for _ in range(count))

    def drop_next(self, method: str, count: int = 1, *, after_processing: bool = False) -> None:
        """Close the connection without answering; with after_processing the call takes
        effect first (e.g. the message is sent) and only the answer is lost."""
        faults = self._faults.setdefault(method.lower(), [])
        faults.extend(_Fault(None, after_processing=after_processing) for _ in range(count))

    def inject_fault(
        self,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        status: int | None = 502,
        count: int | None = None,
        retry_after: int | None = None,
        after_processing: bool = False,
    ) -> FaultRule:
        """A standing fault: every call of `method` (None: any method) about `chat_id` (None:
        any chat) fails with `status` (None: the connection is dropped, after the call took
        effect when after_processing) — `count` times, or until clear_faults() when None.
        fail_next/drop_next queues are served first, then rules in the order they were made."""
        fault = _Fault(status, retry_after, after_processing)
        rule = FaultRule(method.lower() if method else None, chat_id, fault, count)
        self._rules.append(rule)
        return rule

    def clear_faults(self, rule: FaultRule | None = None) -> None:
        """Remove one standing rule, or (None) every rule and every fail_next/drop_next."""
        if rule is not None:
            self._rules.remove(rule)
            return
        self._rules.clear()
        self._faults.clear()

    def _take_fault(self, key: str, chat_id: int | str | None) -> _Fault | None:
        faults = self._faults.get(key)
        if faults:
            return faults.pop(0)
        for rule in self._rules:
            if rule.matches(key, chat_id):
                rule.hits += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                return rule.fault
        return None

    # ------------------------------------------------------------ HTTP

    def _handler_table(self) -> dict[str, tuple[str, Handler]]:
        table: dict[str, Handler] = {
            "getMe": self.api_get_me,
            "logOut": self.api_log_out,
            "close": self.api_close,
            "deleteWebhook": self.api_delete_webhook,
            "setWebhook": self.api_set_webhook,
            "getWebhookInfo": self.api_get_webhook_info,
            "getUpdates": self.api_get_updates,
            "setMyCommands": self.api_set_my_commands,
            "deleteMyCommands": self.api_delete_my_commands,
            "getMyCommands": self.api_get_my_commands,
            "sendMessage": self.api_send_message,
            "sendPhoto": self.api_send_photo,
            "sendVoice": self.api_send_voice,
            "sendDocument": self.api_send_document,
            "sendLocation": self.api_send_location,
            "sendMediaGroup": self.api_send_media_group,
            "sendChatAction": self.api_send_chat_action,
            "copyMessage": self.api_copy_message,
            "forwardMessage": self.api_forward_message,
            "editMessageText": self.api_edit_message_text,
            "editMessageCaption": self.api_edit_message_caption,
            "editMessageReplyMarkup": self.api_edit_message_reply_markup,
            "deleteMessage": self.api_delete_message,
            "answerCallbackQuery": self.api_answer_callback_query,
            "getFile": self.api_get_file,
            "getChat": self.api_get_chat,
        }
        return {name.lower(): (name, handler) for name, handler in table.items()}

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        file_match = FILE_PATH.match(request.path)
        if file_match:
            return self._serve_file(*file_match.groups())
        match = API_PATH.match(request.path)
        if match is None:
            return self._fail("?", TgError(404, "Not Found"), None)
        token, method = match.groups()
        if token != self.token:
            return self._fail(method, TgError(401, "Unauthorized"), None)
        entry = self._handlers.get(method.lower())
        if entry is None:
            return self._fail(method, TgError(404, "Not Found"), None)
        name, handler = entry
        self.calls.append(name)
        try:
            return await self._call(request, name, handler)
        except _Dropped:
            self.dropped.append(name)
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPInternalServerError() from None

    async def _call(self, request: web.Request, name: str, handler: Handler) -> web.Response:
        chat_id: int | str | None = None
        fault: _Fault | None = None
        try:
            params = await read_params(request)
            chat_id = params.raw_chat_id()
            fault = self._take_fault(name.lower(), chat_id)
            if fault is not None and fault.status is not None:
                raise fault.error()
            if fault is not None and not fault.after_processing:
                raise _Dropped
            result = await handler(params)
        except TgError as err:
            return self._fail(name, err, chat_id)
        except (_Dropped, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug in the fake itself: make it visible in `errors`
            logger.exception("fake Telegram failed on %s", name)
            return self._fail(name, TgError(500, f"Internal Server Error: {exc!r}"), chat_id)
        if fault is not None:
            raise _Dropped
        return self._json({"ok": True, "result": result})

    def _fail(self, method: str, err: TgError, chat_id: int | str | None) -> web.Response:
        self.record_error(method, err, chat_id)
        return self._json(err.body(), status=err.status)

    def _json(self, body: dict[str, Any], status: int = 200) -> web.Response:
        text = json.dumps(body, ensure_ascii=False)
        return web.Response(text=text, status=status, content_type="application/json")

    def _serve_file(self, token: str, path: str) -> web.Response:
        if token != self.token:
            return self._fail("file", TgError(401, "Unauthorized"), None)
        record = self.file_by_path(path)
        if record is None:
            return self._fail("file", TgError(404, "Not Found"), None)
        return web.Response(body=record.data, content_type="application/octet-stream")

    # ------------------------------------------------------------ observation

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    def mark(self) -> int:
        return len(self.sent)

    def errors_with(self, status: int) -> list[ApiError]:
        return [error for error in self.errors if error.status == status]

    def rate_limited(self, chat_id: int | None = None) -> int:
        """How many 429 answers the fake gave about `chat_id` (None: in all)."""
        return sum(
            1
            for error in self.errors
            if error.status == 429 and (chat_id is None or error.chat_id == chat_id)
        )

    def rate_limited_chats(self) -> dict[int | str | None, int]:
        """429 answers per chat id (None: calls without a chat, e.g. injected on getMe)."""
        return dict(Counter(error.chat_id for error in self.errors if error.status == 429))

    def is_message_method(self, method: str) -> bool:
        return method.lower() in MESSAGE_METHODS

    async def wait_for(
        self,
        chat_id: int,
        *,
        contains: str | None = None,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 20.0,
        since: int = 0,
    ) -> SentMessage:
        """First message to `chat_id` at global index >= since whose text/caption (visible or
        as sent) contains `contains` and that satisfies `predicate`."""
        found: list[SentMessage] = []

        def check() -> bool:
            for message in self.sent[since:]:
                if message.chat_id != chat_id or not message.matches(contains):
                    continue
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        if await self._signal.wait_until(check, timeout):
            return found[0]
        wanted = f"contains={contains!r}" + (" and predicate" if predicate else "")
        raise AssertionError(
            f"no message to {chat_id} with {wanted} (index >= {since}) within {timeout}s\n"
            + self.report(chat_id)
        )

    async def wait_edit(
        self,
        message: SentMessage,
        *,
        contains: str | None = None,
        timeout: float = 20.0,
        after: int = 0,
    ) -> SentMessage:
        """Wait until `message` has more than `after` edits and its current version matches."""

        def check() -> bool:
            return len(message.edits) > after and message.matches(contains)

        if await self._signal.wait_until(check, timeout):
            return message
        raise AssertionError(
            f"message {message.describe()} not edited to contain {contains!r} "
            f"(edits so far: {len(message.edits)}) within {timeout}s\n"
            + self.report(message.chat_id)
        )

    async def wait_callback_answer(self, query_id: str, timeout: float = 20.0) -> dict[str, Any]:
        if await self._signal.wait_until(lambda: query_id in self.callback_answers, timeout):
            return self.callback_answers[query_id]
        known = "known" if query_id in self._queries else "unknown"
        raise AssertionError(
            f"callback query {query_id} ({known}) not answered within {timeout}s\n"
            + self.report(None)
        )

    def poll_mark(self) -> int:
        """Number of getUpdates calls so far, to pass as wait_polling(since=...)."""
        return self._poll_count

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait until `predicate` holds (checked whenever the fake's state changes)."""
        if not await self._signal.wait_until(predicate, timeout):
            raise AssertionError(f"condition not met within {timeout}s\n" + self.report(None))

    async def wait_polling(self, timeout: float = 20.0, *, since: int | None = None) -> None:
        """Resolve once a getUpdates call arrives after this call began (or after `since`,
        a poll_mark()). Without `since`, a long poll already held open by a connected
        client also counts, so a freshly (re)started bot is not waited on for a whole
        long-poll period; polls of clients that hung up (a killed bot) never count."""
        start = self._poll_count if since is None else since

        def polling() -> bool:
            return self._poll_count > start or (since is None and self.polling_now())

        if not await self._signal.wait_until(polling, timeout):
            raise AssertionError(f"no getUpdates call within {timeout}s\n" + self.report(None))

    async def wait_updates_consumed(self, timeout: float = 20.0) -> None:
        """Wait until the bot has confirmed (via offset) every queued update."""
        if not await self._signal.wait_until(lambda: not self._updates, timeout):
            pending = [update["update_id"] for update in self._updates]
            raise AssertionError(f"updates {pending} not confirmed within {timeout}s")

    async def wait_error(
        self, *, status: int | None = None, method: str | None = None, timeout: float = 20.0
    ) -> ApiError:
        """Wait for an error answer with that status / method (already given ones count)."""

        def matching() -> list[ApiError]:
            return [
                error
                for error in self.errors
                if (status is None or error.status == status)
                and (method is None or error.method.lower() == method.lower())
            ]

        if await self._signal.wait_until(lambda: bool(matching()), timeout):
            return matching()[0]
        raise AssertionError(f"no error status={status} method={method}\n" + self.report(None))

    def report(self, chat_id: int | None, last: int = 25) -> str:
        """Human-readable summary of what a chat received and the recent errors."""
        lines = []
        if chat_id is not None:
            received = self.messages_to(chat_id)
            lines.append(f"chat {chat_id} received {len(received)} message(s):")
            lines.extend(f"  {message.describe()}" for message in received[-last:])
        lines.append(f"recent errors ({len(self.errors)} total):")
        lines.extend(
            f"  {e.method} -> {e.status} {e.description} (chat {e.chat_id})"
            for e in self.errors[-10:]
        )
        lines.append(f"dropped calls: {self.dropped[-10:]!r}")
        return "\n".join(lines)
