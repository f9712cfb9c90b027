"""Learning from the office's routing: retrain, store in the database, load at start."""

from __future__ import annotations

import asyncio
import logging

from bot import routing
from bot.services.core import Services
from storage import queries
from storage.models import RoutingModel
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def load_model(uow: UnitOfWork) -> routing.LearnedModel | None:
    """The newest stored model; an unreadable one (older format) is skipped until retrained."""
    stored = await queries.latest_routing_model(uow.session)
    if stored is None:
        return None
    try:
        return routing.LearnedModel.from_bytes(stored.data)
    except ValueError:
        log.warning("stored routing model %s is unreadable; keywords only until retrained",
                    stored.id)
        return None


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
        uow.session.add(RoutingModel(trained_at=svc.now(), examples=len(examples), data=data))
        await uow.commit()
    svc.router = svc.router.with_model(model)
    log.info("routing: retrained on %d examples", len(examples))
    return len(examples)
