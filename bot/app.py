"""The composition root: config, engine, services, router, outbox and handlers, wired once.

It sits above every layer (it is the one module that may import them all); nothing but
`bot.cli` imports it.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import Application, ContextTypes, Defaults

from bot.config import Config
from bot.delivery.outbox import OutboxWorker
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.ratelimit import PacingRateLimiter
from bot.delivery.sender import TelegramSender
from bot.delivery.serve import AnotherPoller, serve_polling, serve_webhook
from bot.delivery.updates import PerChatUpdateProcessor
from bot.domain.calendar import WorkCalendar
from bot.notify import texts
from bot.routing import Router
from bot.services import Services, cards
from bot.services.learning import load_model, refresh_model, retrain
from bot.services.reach import chat_migrated, chat_unreachable
from bot.services.staff import sync_staff
from bot.services.sweeps import run_sweeps
from bot.services.updates import record_before_call
from bot.setup import SetupError
from handlers import register
from handlers.context import AppContext
from storage.db import create_engine, ping, session_factory, unavailable
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

OUTBOX_IDLE_SECONDS = 1.0   # also picks up rows written by other instances and due retries
STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Settings:
    config: Config
    token: str
    api_url: str
    database_url: str
    data_dir: Path
    instances: int = 1   # instances sharing the token: each takes 1/N of the overall budget


async def build_services(settings: Settings, engine: AsyncEngine) -> Services:
    sessions = session_factory(engine)
    async with UnitOfWork(sessions) as uow:
        model, model_id = await load_model(uow)
    router = await asyncio.to_thread(Router.build, settings.config, settings.data_dir, model)
    return Services(config=settings.config, calendar=WorkCalendar.from_config(settings.config),
                    router=router, sessions=sessions, model_id=model_id)


async def _start(app: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = app.bot_data["settings"]
    engine = create_engine(settings.database_url)
    app.bot_data["engine"] = engine
    svc = await build_services(settings, engine)
    limiter: PacingRateLimiter = app.bot_data["rate_limiter"]
    worker = OutboxWorker(svc.sessions, svc.now, TelegramSender(app.bot, limiter.pacer),
                          **delivery_hooks(svc))
    svc.wake_outbox = worker.wake
    limiter.before_call = partial(record_before_call, svc)   # no answer to a redelivery
    staff = await sync_staff(svc, settings.config)
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS_RESIDENT])
    every = settings.config.scheduler.retrain.as_timedelta()
    assert app.job_queue is not None
    app.job_queue.run_repeating(_retrain, interval=every, first=every, name="retrain routing")
    tick = settings.config.scheduler.tick.as_timedelta()
    # first=0: what fell due while the bot was down is handled once, at start
    # another instance (or `lianxin routing train`) may store a newer model: load it
    app.job_queue.run_repeating(_refresh_model, interval=tick, first=tick, name="model")
    app.job_queue.run_repeating(_sweep, interval=tick, first=0, name="sweeps",
                                job_kwargs={"coalesce": True, "misfire_grace_time": None})
    app.bot_data.update(svc=svc, outbox=worker,
                        outbox_task=asyncio.create_task(worker.run(OUTBOX_IDLE_SECONDS)))
    # what start-up built (modules, the router's dictionaries, the model) lives as long as
    # the process: out of the cyclic collector's sight, a full collection no longer walks
    # its ~350,000 objects (about 150 ms each time, on every update it lands on)
    gc.collect()
    gc.freeze()
    log.info("ready as @%s: %d departments, %d categories, %d staff", app.bot.username,
             len(settings.config.departments), len(settings.config.categories), staff)


def delivery_hooks(svc: Services) -> dict[str, Any]:
    """What the outbox worker reports, handed to the use cases (delivery imports none)."""
    async def undeliverable(row: OutboxMessage) -> None:
        await chat_unreachable(svc, row)

    async def migrated(old_chat: int, new_chat: int) -> None:
        await chat_migrated(svc, old_chat, new_chat)

    async def card_sent(row: OutboxMessage, message_id: int) -> None:
        await cards.card_sent(svc, row, message_id)

    return {"on_undeliverable": undeliverable, "on_migrated": migrated,
            "on_card_sent": card_sent}


async def _retrain(context: AppContext) -> None:
    await retrain(context.svc)


async def _refresh_model(context: AppContext) -> None:
    try:
        await refresh_model(context.svc)
    except Exception:   # keep routing with the model in hand; the next tick tries again
        log.exception("could not load the newest routing model")


async def _sweep(context: AppContext) -> None:
    try:
        await run_sweeps(context.svc)
    except Exception as exc:   # a failed tick is logged; the next tick tries again
        if unavailable(exc):
            log.warning("sweep: database unavailable (%s); retrying at the next tick", exc)
        else:
            log.exception("sweep failed; retrying at the next tick")


async def _stop(app: Application) -> None:  # type: ignore[type-arg]
    task: asyncio.Task[None] | None = app.bot_data.get("outbox_task")
    if task is not None:
        app.bot_data["outbox"].stop()
        try:
            await asyncio.wait_for(task, timeout=STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("outbox did not stop in time; unsent rows stay queued")
    engine: AsyncEngine | None = app.bot_data.get("engine")
    if engine is not None:
        await engine.dispose()


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    # one Pacer for replies and the outbox: Telegram counts them together
    # several instances behind a webhook: each keeps 1/N of every budget
    limiter = PacingRateLimiter(Pacer(Limits().shared(settings.instances)), max_retries=3)
    app = (
        Application.builder()
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .defaults(Defaults(tzinfo=settings.config.tz))   # the JobQueue runs in UTC otherwise
        .context_types(ContextTypes(context=AppContext))
        .concurrent_updates(PerChatUpdateProcessor())   # chats at once, each chat in order
        .rate_limiter(limiter)
        .post_init(_start)
        .post_shutdown(_stop)
        .build()
    )
    app.bot_data.update(settings=settings, rate_limiter=limiter)
    register(app)
    return app


def run(settings: Settings, *, webhook: str | None = None, listen: str = "127.0.0.1:8080") -> None:
    """Long polling, or a webhook server behind the reverse proxy at `webhook`.

    Raises SetupError for a token Telegram rejects, or when another instance already polls
    with this token (409 Conflict).
    """
    app = build_application(settings)
    updates = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY,
               Update.MY_CHAT_MEMBER]   # the bot added back to a group
    try:
        if webhook:
            host, _, port = listen.rpartition(":")
            # Telegram sends this back on every update; the server refuses requests without it
            secret = hashlib.sha256(settings.token.encode()).hexdigest()[:32]
            serve_webhook(app, url=webhook, host=host or "127.0.0.1", port=int(port),
                          path=urlparse(webhook).path.rstrip("/") or "/telegram",
                          secret=secret, allowed_updates=updates,
                          healthy=lambda: _database_answers(app))
        else:
            serve_polling(app, allowed_updates=updates)
    except InvalidToken:
        raise SetupError("Telegram rejected TELEGRAM_BOT_TOKEN: copy the token again from "
                         "@BotFather (/mybots → API Token)") from None
    except AnotherPoller:
        raise SetupError("another instance is already running with this token (Telegram "
                         "answered 409 Conflict to getUpdates): stop it first; to run several "
                         "instances, use `lianxin run --webhook URL` behind a proxy") from None


async def _database_answers(app: Application) -> bool:  # type: ignore[type-arg]
    """The health check's question: does the database answer?"""
    engine: AsyncEngine | None = app.bot_data.get("engine")
    return engine is not None and await ping(engine)
