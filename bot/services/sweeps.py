"""The scheduled sweeps: fire every due timer once (reminders, 督办, 回访 steps, reviews).

A sweep claims due timers by their indexed due time, one per transaction, locked so that a
second sweeper (another instance) skips it; the timer is deleted in the same transaction that
records its ledger event and queues its notices, so it fires once, however often the sweep
runs, after a restart, or after an outage (what fell due meanwhile fires once, at the next
sweep).
"""

from __future__ import annotations

import logging

from bot.domain import followups
from bot.domain.schedule import Chase, timers_after_chase
from bot.services.core import Services
from bot.services.daily import run_daily_jobs
from bot.services.ledger import record
from bot.services.updates import prune_seen_updates
from storage import queries

log = logging.getLogger(__name__)


async def fire_due_timer(svc: Services) -> bool:
    """Fire the oldest due timer, if any; returns whether one was fired."""
    async with svc.uow() as uow:
        now, session = svc.now(), uow.session
        claimed = await queries.claim_due_timers(session, now=now, limit=1)
        if not claimed:
            return False
        timer = claimed[0]
        req = await queries.request_by_id_for_update(session, timer.request_id)
        await session.delete(timer)
        await session.flush()   # before a timer of the same kind is set again (a review)
        kind = Chase(timer.kind)
        if kind == Chase.SURVEY_EXPIRE:
            event = followups.expire_survey(req, at=now)
        else:
            event = followups.chase(req, kind, at=now)
        await record(uow, req, event)
        limits = svc.config.limits_for(req.category, urgent=req.urgent)
        following = timers_after_chase(kind, limits, svc.calendar, at=now)
        queries.add_timers(session, req.id, [(k.value, due) for k, due in following], now)
        await uow.commit()
    log.info("sweep: %s for request %s", kind, req.number)
    return True


async def run_sweeps(svc: Services, *, most: int = 1000) -> int:
    """Fire what is due, up to `most` timers per run (the next tick takes the rest), then the
    daily jobs whose time has come, then forget old update ids; returns how many timers
    fired."""
    fired = 0
    while fired < most and await fire_due_timer(svc):
        fired += 1
    await run_daily_jobs(svc)
    await prune_seen_updates(svc)
    return fired
