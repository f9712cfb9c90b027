"""How updates come in: long polling (one instance per token) or a webhook server (several
instances behind a reverse proxy), each running the application until SIGTERM or SIGINT.

Long polling: Telegram answers 409 Conflict when another getUpdates runs on the same token
(the newer request ends the older one, whose retry, a second later, ends the newer one). An
instance that meets a 409 within CONFLICT_GRACE_S of starting to poll is the newcomer: it
stops and `serve_polling` raises `AnotherPoller`; one polling for longer (its first 409 came
when the newcomer, which takes seconds to start, began to poll) logs it and keeps polling.
Two instances started within the grace of each other may both give up: start them apart.

Webhook: POST `path` with Telegram's secret token header (X-Telegram-Bot-Api-Secret-Token;
missing or wrong: 403, nothing processed; a body that is not an update: 400); the update is
handled (through the application's per-chat update processor) before the 200 answer, so a
chat's next update, which Telegram sends after that answer, may go to any instance and still
comes after it; an instance that dies mid-update gives no 200 and Telegram sends it again.
GET /health answers 200 "ok" while the application runs and `healthy()` holds (the
database answers), else 503: the proxy's check.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CONFLICT_GRACE_S = 2.0
BOOTSTRAP_RETRY_S = 5.0
HEALTH_PATH = "/health"
App = Application  # type: ignore[type-arg]


class AnotherPoller(Exception):
    """Telegram's 409 Conflict at start-up: another instance polls with this token."""


async def _until_stopped(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _run(app: App, start: Callable[[], Awaitable[None]],
               stop_source: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    """Initialize, post_init, start the application, then the source (updates are handled
    from the first one on; the health check says ok once they can be); then the reverse."""
    try:
        await _initialize(app)
        try:
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            await start()
            try:
                await _until_stopped(stop)
            finally:
                await stop_source()
                if app.running:
                    await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        finally:
            await app.shutdown()
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def _initialize(app: App) -> None:
    """`app.initialize()` (getMe), waiting out a Telegram or network outage at start-up, as
    PTB's bootstrap_retries=-1 does. Raises InvalidToken (Telegram rejected the token)."""
    wait = 1.0
    while True:
        try:
            await app.initialize()
            return
        except InvalidToken:
            raise
        except NetworkError as exc:   # 5xx, timeouts (BadRequest cannot come from getMe)
            log.warning("Telegram unreachable at start-up (%s); retrying in %ss", exc, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, BOOTSTRAP_RETRY_S)


def serve_polling(app: App, *, allowed_updates: Sequence[str]) -> None:
    """Long polling until a stop signal. Raises AnotherPoller (see the module's words)."""
    async def main() -> None:
        stop = asyncio.Event()
        refused: list[TelegramError] = []
        loop = asyncio.get_running_loop()
        polling_since: list[float] = []

        def on_error(exc: TelegramError) -> None:
            newcomer = not polling_since or loop.time() - polling_since[0] < CONFLICT_GRACE_S
            if isinstance(exc, Conflict) and newcomer and not refused:
                refused.append(exc)
                stop.set()
            elif isinstance(exc, Conflict) and not refused:
                log.error("another instance polls with this token (409 Conflict); this one, "
                          "running for longer, goes on")
            else:
                log.warning("getUpdates failed: %s; retrying", exc)

        async def start() -> None:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=allowed_updates,
                                            bootstrap_retries=-1, error_callback=on_error)
            polling_since.append(loop.time())

        async def stop_source() -> None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()

        await _run(app, start, stop_source, stop)
        if refused:
            raise AnotherPoller(str(refused[0]))

    asyncio.run(main())


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, app: App, secret: str) -> None:   # type: ignore[override]
        self.app, self.secret = app, secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook call without the right secret token from %s: refused",
                        self.request.remote_ip)
            self.set_status(403)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.app.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        await self.app.update_processor.process_update(update,
                                                       self.app.process_update(update))
        self.set_status(200)

    def check_xsrf_cookie(self) -> None:
        """Telegram sends no cookie; the secret token stands for it."""


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, app: App, healthy: Callable[[], Awaitable[bool]]) -> None:  # type: ignore[override]
        self.app, self.healthy = app, healthy

    async def get(self) -> None:
        ok = self.app.running and await self.healthy()
        self.set_status(200 if ok else 503)
        self.write("ok" if ok else "unavailable")


async def _set_webhook(app: App, url: str, secret: str, allowed_updates: Sequence[str]) -> None:
    """setWebhook, waiting out a Telegram or network outage at start-up."""
    while True:
        try:
            await app.bot.set_webhook(url, secret_token=secret,
                                      allowed_updates=list(allowed_updates))
            return
        except NetworkError as exc:
            log.warning("setWebhook failed (%s); retrying in %ss", exc, BOOTSTRAP_RETRY_S)
            await asyncio.sleep(BOOTSTRAP_RETRY_S)


def serve_webhook(app: App, *, url: str, host: str, port: int, path: str, secret: str,
                  allowed_updates: Sequence[str],
                  healthy: Callable[[], Awaitable[bool]]) -> None:
    """A webhook server on host:port (behind the proxy serving `url`) until a stop signal."""
    web = tornado.web.Application([
        (rf"{path}/?", _UpdateHandler, {"app": app, "secret": secret}),
        (HEALTH_PATH, _HealthHandler, {"app": app, "healthy": healthy}),
    ])
    server = tornado.httpserver.HTTPServer(web)

    async def main() -> None:
        async def start() -> None:
            server.listen(port, host)
            await _set_webhook(app, url, secret, allowed_updates)
            log.info("webhook %s served on %s:%s%s (health: %s)", url, host, port, path,
                     HEALTH_PATH)

        async def stop_source() -> None:
            server.stop()
            await server.close_all_connections()

        await _run(app, start, stop_source, asyncio.Event())

    asyncio.run(main())


