"""The daily jobs of a working day: the morning digest and the spot checks (抽访).

They run from the sweep tick once their local time has come, on working days only, each at
most once a day: a `daily_runs` row, written in the job's own transaction, is the uniqueness
key, so a restart or a second instance never sends a digest twice, and a bot that was down
at 08:30 sends it when it is back.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import figures, followups
from bot.domain.views import RequestView
from bot.notify import desk, texts
from bot.services.core import Services
from bot.services.ledger import record, view_of
from bot.services.publish import department_chats, office_chats, supervisor_chats
from storage import queries
from storage.uow import UnitOfWork

DIGEST, SPOT_CHECK = "digest", "spot_check"
Job = Callable[[UnitOfWork, Services, datetime], Awaitable[None]]


async def _digest_for(session: AsyncSession, svc: Services, *, scope: str, day: str,
                      events: list[tuple[str, str | None, str]], overdue: list[RequestView],
                      chats: list[int], now: datetime) -> None:
    numbers = figures.count(events, overdue=len(overdue))
    for text in desk.digest(svc.config, scope=scope, day=day, figures=numbers,
                              overdue=overdue):
        for chat_id in dict.fromkeys(chats):
            queries.add_outbox(session, chat_id=chat_id, kind="digest", at=now, text=text)


async def send_digests(uow: UnitOfWork, svc: Services, now: datetime) -> None:
    """Yesterday's figures (local day) and today's overdue list: the whole district to the
    office, each department's own to its assignees, group chat and supervisors."""
    session, tz = uow.session, svc.config.tz
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = today - timedelta(days=1)
    rows = await queries.events_between(session, yesterday, today)
    late = [view_of(r) for r in await queries.overdue(session, now)]
    day = f"{yesterday:%m月%d日}"
    await _digest_for(session, svc, scope=texts.DIGEST_WHOLE_DISTRICT, day=day,
                      events=[r[:3] for r in rows], overdue=late,
                      chats=await office_chats(session), now=now)
    for department in svc.config.departments:
        chats = (await department_chats(session, svc.config, department.code)
                 + await supervisor_chats(session, svc.config, department.code))
        await _digest_for(session, svc, scope=department.name, day=day,
                          events=[r[:3] for r in rows if r[3] == department.code],
                          overdue=[r for r in late if r.department == department.code],
                          chats=chats, now=now)


async def send_spot_checks(uow: UnitOfWork, svc: Services, now: datetime) -> None:
    """A sample (`spot_check.share`, at most `max`) of the requests closed within `within`
    and not yet spot-checked gets the short survey."""
    rule = svc.config.spot_check
    closed = await queries.closed_between(uow.session, now - rule.within.as_timedelta(), now,
                                          exclude_kind="spot_check_sent")
    size = min(rule.max, round(len(closed) * rule.share))
    for req in random.sample(list(closed), size):
        await record(uow, req, followups.spot_check_sent(req, at=now))


JOBS: tuple[tuple[str, Callable[[Services], time], Job], ...] = (
    (DIGEST, lambda svc: svc.config.scheduler.digest_at, send_digests),
    (SPOT_CHECK, lambda svc: svc.config.spot_check.at, send_spot_checks),
)


async def run_daily_jobs(svc: Services) -> list[str]:
    """Run each daily job whose time has come today, if today is a working day and it has
    not run yet; returns the jobs run."""
    now = svc.now()
    local = now.astimezone(svc.config.tz)
    if not svc.calendar.is_workday(local.date()):
        return []
    done = []
    for job, at, work in JOBS:
        if local.time() < at(svc):
            continue
        async with svc.uow() as uow:
            if not await queries.claim_daily_run(uow.session, job, f"{local:%Y%m%d}", now):
                continue
            await work(uow, svc, now)
            await uow.commit()
        done.append(job)
    return done
