"""Learning from the office's routing: retrain, store in the database, load at start, and
load a newer model another instance stored."""

from __future__ import annotations

import asyncio
import logging

from bot import routing
from bot.services.core import Services
from storage import queries
from storage.models import RoutingModel
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def _readable(stored: RoutingModel) -> routing.LearnedModel | None:
    try:
        return routing.LearnedModel.from_bytes(stored.data)
    except ValueError:
        log.warning("stored routing model %s is unreadable; keywords only until retrained",
                    stored.id)
        return None


async def load_model(uow: UnitOfWork) -> tuple[routing.LearnedModel | None, int | None]:
    """The newest stored model and its row id; an unreadable one (older format) is skipped
    until retrained (the model is then None, the id still given)."""
    stored = await queries.latest_routing_model(uow.session)
    if stored is None:
        return None, None
    return await asyncio.to_thread(_readable, stored), stored.id


async def refresh_model(svc: Services) -> bool:
    """Load the newest stored model if another instance (or `lianxin routing train`) stored
    one since; returns whether the router changed. Only the row id is read when nothing is
    new."""
    async with svc.uow() as uow:
        latest = await queries.latest_routing_model_id(uow.session)
        if latest is None or latest == svc.model_id:
            return False
        model, model_id = await load_model(uow)
    svc.router, svc.model_id = svc.router.with_model(model), model_id
    log.info("routing: loaded stored model %s", model_id)
    return True


async def retrain(svc: Services) -> int | None:
    """Learn from every request the office routed; returns how many examples, or None."""
    async with svc.uow() as uow:
        examples = await queries.routed_examples(uow.session)
    model = await asyncio.to_thread(routing.train, svc.router, examples)  # CPU-bound
    if model is None:
        log.info("routing: %d routed examples, not enough to learn from yet", len(examples))
        return None
    data = await asyncio.to_thread(model.to_bytes)   # compresses megabytes
    async with svc.uow() as uow:
        stored = RoutingModel(trained_at=svc.now(), examples=len(examples), data=data)
        uow.session.add(stored)
        await uow.commit()
    svc.router, svc.model_id = svc.router.with_model(model), stored.id
    log.info("routing: retrained on %d examples", len(examples))
    return len(examples)
