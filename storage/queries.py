"""Queries the domain needs. Functions over a session; none of them commits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Attachment,
    CardMessage,
    Conversation,
    DailyCounter,
    DailyRun,
    DepartmentChat,
    Event,
    OutboxMessage,
    ProcessedUpdate,
    Request,
    RequestSubscriber,
    Resident,
    RoutingModel,
    StaffInvite,
    StaffMember,
    Timer,
    UnreachableChat,
)
from storage.uow import OUTBOX_QUEUED


async def next_sequence(session: AsyncSession, day: str) -> int:
    """Atomically hand out the next number of `day` (safe under concurrent submits)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(DailyCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": DailyCounter.last + 1})
        .returning(DailyCounter.last)
    )
    return (await session.execute(statement)).scalar_one()


async def request_for_update(session: AsyncSession, number: str) -> Request | None:
    """The request row, locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
    statement = select(Request).where(Request.number == number).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


OPEN_STATUSES = ("triage", "dispatched", "in_progress", "restricted")


async def requests_of_resident(session: AsyncSession, resident_id: int,
                               limit: int | None = 10,
                               open_only: bool = False) -> Sequence[Request]:
    """The resident's own requests, newest first, at most `limit` (None: all); `open_only`:
    those not yet answered (OPEN_STATUSES)."""
    statement = select(Request).where(Request.resident_id == resident_id)
    if open_only:
        statement = statement.where(Request.status.in_(OPEN_STATUSES))
    return (await session.execute(statement.order_by(Request.id.desc()).limit(limit))
            ).scalars().all()


async def filed_between(session: AsyncSession, resident_id: int, start: datetime,
                        end: datetime) -> int:
    """How many requests `resident_id` filed for themselves in [start, end) (a grid
    worker's reports for others are not counted)."""
    statement = select(func.count()).select_from(Request).where(
        Request.resident_id == resident_id, Request.proxy.is_(False),
        Request.created_at >= start, Request.created_at < end)
    return (await session.execute(statement)).scalar_one()


async def resident(session: AsyncSession, telegram_id: int) -> Resident | None:
    """What the bot keeps about a resident (script, block), if anything."""
    return await session.get(Resident, telegram_id)


async def resident_for_update(session: AsyncSession, telegram_id: int,
                              now: datetime) -> Resident:
    """The resident's row, made if missing (added to the session, not flushed)."""
    row = await session.get(Resident, telegram_id, with_for_update=True)
    if row is None:
        row = Resident(telegram_id=telegram_id, traditional=False, updated_at=now)
        session.add(row)
    return row


async def blocked_residents(session: AsyncSession) -> Sequence[Resident]:
    statement = (select(Resident).where(Resident.block_reason.is_not(None))
                 .order_by(Resident.blocked_at))
    return (await session.execute(statement)).scalars().all()


async def attachments_of(session: AsyncSession, request_id: int) -> Sequence[Attachment]:
    statement = select(Attachment).where(Attachment.request_id == request_id).order_by(
        Attachment.id)
    return (await session.execute(statement)).scalars().all()


async def staff_member(session: AsyncSession, telegram_id: int) -> StaffMember | None:
    member = await session.get(StaffMember, telegram_id)
    return member if member is not None and member.active else None


async def active_staff(session: AsyncSession, *, role: str,
                       department: str | None = None) -> Sequence[StaffMember]:
    statement = select(StaffMember).where(StaffMember.active.is_(True),
                                          StaffMember.role == role)
    if department is not None:
        statement = statement.where(StaffMember.department == department)
    return (await session.execute(statement.order_by(StaffMember.telegram_id))).scalars().all()


async def all_staff(session: AsyncSession) -> Sequence[StaffMember]:
    return (await session.execute(select(StaffMember))).scalars().all()


async def conversation_of(session: AsyncSession, user_id: int) -> Conversation | None:
    """The user's conversation, locked: two updates of one chat never interleave."""
    statement = select(Conversation).where(Conversation.user_id == user_id).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


def save_conversation(session: AsyncSession, conv: Conversation | None, *, user_id: int,
                      flow: str, step: str, data: dict[str, Any], now: datetime) -> None:
    """Create or overwrite the user's one conversation row."""
    if conv is None:
        session.add(Conversation(user_id=user_id, flow=flow, step=step, data=data,
                                 updated_at=now))
    else:
        conv.flow, conv.step, conv.data, conv.updated_at = flow, step, data, now


def add_outbox(session: AsyncSession, *, chat_id: int, kind: str, at: datetime,
               text: str | None = None, buttons: list[Any] | None = None,
               request_id: int | None = None, photos: list[str] | None = None,
               voice: str | None = None, location: list[float] | None = None,
               dedupe_key: str | None = None, keep_copy: bool = False,
               edit_message_id: int | None = None,
               reply_markup: dict[str, Any] | None = None) -> None:
    """Queue a message in the caller's transaction: it commits (or vanishes) with its cause.
    `keep_copy`: a card, whose message is recorded once sent (`card_messages`);
    `edit_message_id`: edit that message of the chat instead of sending one;
    `reply_markup`: a reply keyboard as Telegram's JSON (used when there are no `buttons`)."""
    session.add(OutboxMessage(
        chat_id=chat_id, kind=kind, text=text, buttons=buttons or None, request_id=request_id,
        photos=photos, voice=voice, location=location, dedupe_key=dedupe_key,
        reply_markup=reply_markup or None,
        status="pending", attempts=0, not_before=at, created_at=at, keep_copy=keep_copy,
        edit_message_id=edit_message_id,
    ))
    session.info[OUTBOX_QUEUED] = True


async def claim_outbox(session: AsyncSession, *, now: datetime, lease_until: datetime,
                       limit: int, token: str) -> Sequence[OutboxMessage]:
    """Claim due rows for the claimant `token` until `lease_until` (a lease: a crashed sender
    loses nothing), whole chats at a time.

    A chat is claimed by one instance at a time, so its messages keep their order and its
    flood limit is counted in one place: rows of a chat that has a live claim are skipped,
    and a chat is taken only with its oldest pending row (rows locked by another instance's
    claim in progress are skipped, so that chat's later rows are left too). Rows of a chat
    past `limit` stay for the next claim, which cannot take them while this one lives.
    """
    held = (select(OutboxMessage.chat_id)
            .where(OutboxMessage.status == "pending", OutboxMessage.claimed_until >= now))
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.not_before <= now,
               (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now),
               OutboxMessage.chat_id.not_in(held))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await session.execute(statement)).scalars().all()
    if not rows:
        return rows
    heads = dict((await session.execute(
        select(OutboxMessage.chat_id, func.min(OutboxMessage.id))
        .where(OutboxMessage.status == "pending",
               OutboxMessage.chat_id.in_({r.chat_id for r in rows}))
        .group_by(OutboxMessage.chat_id))).all())
    ids = {r.id for r in rows}
    rows = [r for r in rows if heads.get(r.chat_id) in ids]
    if rows:
        await session.execute(update(OutboxMessage)
                              .where(OutboxMessage.id.in_([r.id for r in rows]))
                              .values(claimed_until=lease_until, claim_token=token)
                              .execution_options(synchronize_session=False))
    return rows


async def renew_claim(session: AsyncSession, *, token: str, lease_until: datetime) -> int:
    """Extend the lease of the rows `token` still holds; returns how many it holds."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claim_token == token, OutboxMessage.status == "pending")
        .values(claimed_until=lease_until)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)   # type: ignore[attr-defined]


async def record_parts(session: AsyncSession, *, row_id: int, token: str, parts: int) -> bool:
    """Note that `parts` of a row's calls were confirmed, if `token` still holds the row."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claim_token == token)
        .values(parts_sent=parts)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)   # type: ignore[attr-defined]


async def outbox_row(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, row_id)


async def latest_routing_model(session: AsyncSession) -> RoutingModel | None:
    statement = select(RoutingModel).order_by(RoutingModel.id.desc()).limit(1)
    return (await session.execute(statement)).scalar_one_or_none()


async def latest_routing_model_id(session: AsyncSession) -> int | None:
    return (await session.execute(select(func.max(RoutingModel.id)))).scalar_one_or_none()


async def routed_examples(session: AsyncSession) -> list[tuple[str, str]]:
    """(text, category) the office chose: the last dispatcher routing of each request."""
    statement = (select(Request.id, Request.description, Event.detail)
                 .join(Event, Event.request_id == Request.id)
                 .where(Event.kind == "route").order_by(Event.id))
    latest: dict[int, tuple[str, str]] = {}
    for request_id, description, detail in await session.execute(statement):
        latest[request_id] = (description, detail["category"])
    return list(latest.values())


async def postpone_chat(session: AsyncSession, *, chat_id: int, after_id: int,
                        until: datetime) -> None:
    """Hold a chat's later rows until `until`, so its messages keep their order."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending",
               OutboxMessage.id > after_id, OutboxMessage.not_before < until)
        .values(not_before=until))


async def replace_timers(session: AsyncSession, request_id: int,
                         timers: list[tuple[str, datetime]], now: datetime) -> None:
    """The request's pending timers become exactly `timers` ((kind, due_at) pairs)."""
    await session.execute(delete(Timer).where(Timer.request_id == request_id))
    add_timers(session, request_id, timers, now)


def add_timers(session: AsyncSession, request_id: int, timers: list[tuple[str, datetime]],
               now: datetime) -> None:
    session.add_all(Timer(request_id=request_id, kind=kind, due_at=due_at, created_at=now)
                    for kind, due_at in timers)


async def claim_due_timers(session: AsyncSession, *, now: datetime,
                           limit: int) -> Sequence[Timer]:
    """Due timers, oldest first, locked for this transaction (another sweeper skips them)."""
    statement = (select(Timer).where(Timer.due_at <= now).order_by(Timer.due_at, Timer.id)
                 .limit(limit).with_for_update(skip_locked=True))
    return (await session.execute(statement)).scalars().all()


async def request_by_id_for_update(session: AsyncSession, request_id: int) -> Request:
    statement = select(Request).where(Request.id == request_id).with_for_update()
    return (await session.execute(statement)).scalar_one()


async def supervisors(session: AsyncSession, department: str) -> Sequence[StaffMember]:
    """The department's active supervisors (分管领导)."""
    return await active_staff(session, role="supervisor", department=department)


async def claim_daily_run(session: AsyncSession, job: str, day: str, now: datetime) -> bool:
    """Record that `job` runs for local `day` (YYYYMMDD); False if it already ran (or another
    instance is running it in a transaction not yet committed: that one wins)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (insert(DailyRun).values(job=job, day=day, at=now)
                 .on_conflict_do_nothing(index_elements=["job", "day"])
                 .returning(DailyRun.job))
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def events_between(session: AsyncSession, start: datetime,
                         end: datetime) -> Sequence[tuple[str, str | None, str, str | None]]:
    """(kind, from status, to status, department now) of every ledger row in [start, end)."""
    statement = (select(Event.kind, Event.from_status, Event.to_status, Request.department)
                 .join(Request, Request.id == Event.request_id)
                 .where(Event.at >= start, Event.at < end).order_by(Event.id))
    return [tuple(r) for r in await session.execute(statement)]


async def overdue(session: AsyncSession, now: datetime) -> Sequence[Request]:
    """Open tasks past their answer deadline, most overdue first."""
    return (await session.execute(overdue_of(now, None))).scalars().all()


async def closed_between(session: AsyncSession, start: datetime, end: datetime,
                         exclude_kind: str) -> Sequence[Request]:
    """Requests closed in [start, end) (rated or unanswered) with no `exclude_kind` event."""
    checked = select(Event.request_id).where(Event.kind == exclude_kind)
    statement = (select(Request)
                 .where(Request.status == "closed", Request.closed_at >= start,
                        Request.closed_at < end, Request.id.not_in(checked))
                 .order_by(Request.id))
    return (await session.execute(statement)).scalars().all()


async def has_event(session: AsyncSession, request_id: int, kind: str) -> bool:
    statement = select(Event.id).where(Event.request_id == request_id,
                                       Event.kind == kind).limit(1)
    return (await session.execute(statement)).first() is not None


async def open_requests(session: AsyncSession) -> Sequence[Request]:
    """Requests with running deadlines (in triage, dispatched or in progress), locked."""
    statement = (select(Request)
                 .where(Request.status.in_(("triage", "dispatched", "in_progress")))
                 .order_by(Request.id).with_for_update())
    return (await session.execute(statement)).scalars().all()


async def last_event_at(session: AsyncSession, request_id: int,
                        kinds: tuple[str, ...]) -> datetime | None:
    """When the request's latest event of one of `kinds` happened."""
    statement = (select(Event.at).where(Event.request_id == request_id, Event.kind.in_(kinds))
                 .order_by(Event.id.desc()).limit(1))
    return (await session.execute(statement)).scalar_one_or_none()


class RowsPage(NamedTuple):
    """One page of a request query: its rows, how many rows the query has in all, the page
    shown (0-based) and how many pages there are (at least one)."""

    rows: Sequence[Request]
    total: int
    page: int
    pages: int


async def page_of(session: AsyncSession, statement: Any, *, page: int, size: int) -> RowsPage:
    """Page `page` (0-based) of `size` rows of a request query, `page` clamped to the pages
    there are (a stale 下一页 shows the last one)."""
    total = (await session.execute(select(func.count()).select_from(
        statement.order_by(None).subquery()))).scalar_one()
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    rows = (await session.execute(statement.offset(page * size).limit(size))).scalars().all()
    return RowsPage(rows, total, page, pages)


def tasks_of(assignee_id: int, department: str | None) -> Any:
    """An assignee's open tasks: accepted by them, or waiting in their department;
    nearest answer deadline first."""
    return (select(Request)
            .where(((Request.status == "in_progress") & (Request.assignee_id == assignee_id))
                   | ((Request.status == "dispatched") & (Request.department == department)))
            .order_by(Request.answer_due_at.is_(None), Request.answer_due_at, Request.id))


def triage_queue() -> Any:
    """The office's queue: requests waiting to be routed, oldest first."""
    return select(Request).where(Request.status == "triage").order_by(Request.id)


def overdue_of(now: datetime, department: str | None) -> Any:
    """Open tasks past their answer deadline (of one department, or all), most overdue first."""
    statement = (select(Request)
                 .where(Request.status.in_(("dispatched", "in_progress")),
                        Request.answer_due_at < now)
                 .order_by(Request.answer_due_at, Request.id))
    return statement if department is None else statement.where(
        Request.department == department)


async def history(session: AsyncSession, request_id: int) -> Sequence[Event]:
    """The request's ledger, in order."""
    statement = select(Event).where(Event.request_id == request_id).order_by(Event.id)
    return (await session.execute(statement)).scalars().all()


async def request_by_number(session: AsyncSession, number: str) -> Request | None:
    return (await session.execute(
        select(Request).where(Request.number == number))).scalar_one_or_none()


async def tasks_held_by(session: AsyncSession, assignee_id: int) -> Sequence[Request]:
    """Tasks in progress accepted by `assignee_id`, locked, oldest first."""
    statement = (select(Request)
                 .where(Request.status == "in_progress", Request.assignee_id == assignee_id)
                 .order_by(Request.id).with_for_update())
    return (await session.execute(statement)).scalars().all()


async def invite_for_update(session: AsyncSession, code_hash: str) -> StaffInvite | None:
    """The invite with this code hash, locked: two redemptions of one code never both win."""
    statement = select(StaffInvite).where(StaffInvite.code_hash == code_hash).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


def requests_of(resident_id: int, phone: str | None = None) -> Any:
    """A resident's requests and those they joined (+1), newest first (for `page_of`); with
    `phone` (their own, as Telegram vouched), also those a grid worker filed for that number."""
    joined = select(RequestSubscriber.request_id).where(
        RequestSubscriber.resident_id == resident_id)
    mine = (Request.resident_id == resident_id) | Request.id.in_(joined)
    if phone is not None:
        mine = mine | (Request.proxy.is_(True) & (Request.phone == phone))
    return select(Request).where(mine).order_by(Request.id.desc())


SIMILAR_LIMIT = 200   # open requests of one category in 30 days: a district's worth


async def similar_open_requests(session: AsyncSession, *, category: str, since: datetime,
                                resident_id: int) -> Sequence[Request]:
    """Open requests of `category` made since `since` with an address, by other residents and
    not yet joined by `resident_id`, newest first: the candidates for a "+1"."""
    joined = select(RequestSubscriber.request_id).where(
        RequestSubscriber.resident_id == resident_id)
    statement = (select(Request)
                 .where(Request.status.in_(OPEN_STATUSES), Request.category == category,
                        Request.created_at >= since, Request.resident_id != resident_id,
                        Request.address.is_not(None), Request.id.not_in(joined))
                 .order_by(Request.id.desc()).limit(SIMILAR_LIMIT))
    return (await session.execute(statement)).scalars().all()


async def subscription(session: AsyncSession, request_id: int,
                       resident_id: int) -> RequestSubscriber | None:
    """The resident's subscription to the request (+1), if they joined it."""
    statement = select(RequestSubscriber).where(
        RequestSubscriber.request_id == request_id,
        RequestSubscriber.resident_id == resident_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def subscribers_of(session: AsyncSession,
                         request_id: int) -> Sequence[RequestSubscriber]:
    """Who joined the request (+1), in the order they joined."""
    statement = (select(RequestSubscriber).where(RequestSubscriber.request_id == request_id)
                 .order_by(RequestSubscriber.id))
    return (await session.execute(statement)).scalars().all()


async def forget_subscriptions(session: AsyncSession, resident_id: int) -> int:
    """The resident leaves every request they joined: the subscriptions go, and the ledger's
    join rows lose who joined and the words they wrote (the count stays). Returns how many."""
    rows = (await session.execute(select(RequestSubscriber).where(
        RequestSubscriber.resident_id == resident_id))).scalars().all()
    joins = (await session.execute(select(Event).where(
        Event.kind == "join", Event.actor_id == resident_id))).scalars().all()
    for event in joins:
        event.actor_id = None
        event.detail = {k: v for k, v in (event.detail or {}).items() if k != "text"}
    await session.execute(delete(RequestSubscriber).where(
        RequestSubscriber.resident_id == resident_id))
    return len(rows)


async def anonymise_resident(session: AsyncSession, resident_id: int,
                             request_ids: Sequence[int],
                             secrets: Sequence[str]) -> None:
    """The resident's ledger rows lose who acted (kept, anonymised) and every outbox row of
    their requests loses `secrets` (their name and phone, as cards showed them)."""
    await session.execute(update(Event).where(Event.request_id.in_(request_ids),
                                              Event.actor_id == resident_id)
                          .values(actor_id=None))
    rows = (await session.execute(select(OutboxMessage).where(
        OutboxMessage.request_id.in_(request_ids)))).scalars().all()
    for row in rows:
        text = row.text or ""
        for secret in secrets:
            text = text.replace(secret, "***")
        if row.text is not None and text != row.text:
            row.text = text
        if row.location is not None:
            row.location = None


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


_SEEN: dict[str, Any] = {}   # dialect → the compiled-once insert of mark_update_seen


def _seen_statement(dialect: str) -> Any:
    statement = _SEEN.get(dialect)
    if statement is None:
        table = ProcessedUpdate.__table__
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = _SEEN[dialect] = (
            insert(table).values(update_id=bindparam("update_id"), at=bindparam("at"))
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(table.c.update_id))
    return statement


async def mark_update_seen(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record that Telegram update `update_id` is being handled; False if it already was (or
    another instance is handling it in a transaction not yet committed: that one wins).
    Every update runs this: one statement built once, executed on the session's connection
    (no ORM bookkeeping)."""
    connection = await session.connection()
    result = await connection.execute(_seen_statement(connection.dialect.name),
                                      {"update_id": update_id, "at": now})
    return result.scalar_one_or_none() is not None


async def prune_updates(session: AsyncSession, before: datetime) -> int:
    """Forget update ids recorded before `before`; returns how many."""
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
    return int(result.rowcount or 0)   # type: ignore[attr-defined]


async def mark_unreachable(session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """Note that the office is being told `chat_id` cannot be reached; False if it already
    was (and the chat was not reached since)."""
    statement = (_insert(session)(UnreachableChat).values(chat_id=chat_id, at=now)
                 .on_conflict_do_nothing(index_elements=["chat_id"])
                 .returning(UnreachableChat.chat_id))
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def mark_reachable(session: AsyncSession, chat_id: int) -> None:
    """`chat_id` was reached (or reached us): a later loss is told to the office again."""
    await session.execute(delete(UnreachableChat).where(UnreachableChat.chat_id == chat_id))


async def department_chat_overrides(session: AsyncSession,
                                    ) -> dict[str, tuple[int, int | None]]:
    """Department code → (its group chat as Telegram last told us, the chat it replaced)."""
    rows = await session.execute(select(DepartmentChat.department, DepartmentChat.chat_id,
                                        DepartmentChat.replaces))
    return {code: (chat_id, replaces) for code, chat_id, replaces in rows}


async def set_department_chat(session: AsyncSession, *, department: str, chat_id: int,
                              replaces: int | None, now: datetime) -> None:
    """The department's group chat is now `chat_id` (it was `replaces`)."""
    statement = _insert(session)(DepartmentChat).values(
        department=department, chat_id=chat_id, replaces=replaces, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["department"],
        set_={"chat_id": chat_id, "replaces": replaces, "updated_at": now})
    await session.execute(statement)


async def retarget_outbox(session: AsyncSession, *, old_chat: int, new_chat: int) -> int:
    """Pending rows to `old_chat` go to `new_chat` instead, released from any claim (they keep
    their ids, so their order); returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat, OutboxMessage.status == "pending")
        .values(chat_id=new_chat, claimed_until=None, claim_token=None)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)   # type: ignore[attr-defined]


async def outbox_rows_of_request(session: AsyncSession, request_id: int,
                                 kind: str) -> Sequence[OutboxMessage]:
    """The request's outbox rows of `kind` (e.g. its task cards), oldest first."""
    statement = (select(OutboxMessage).where(OutboxMessage.request_id == request_id,
                                             OutboxMessage.kind == kind)
                 .order_by(OutboxMessage.id))
    return (await session.execute(statement)).scalars().all()


async def resume_after_outage(session: AsyncSession, *, mark: str, now: datetime,
                              chats: int | None = None) -> int:
    """Telegram answers again: rows put off by the outage (`last_error` starts with `mark`),
    and the later rows of their chats held behind them, become due `now`; rows held for a
    later reason (quiet hours) keep their time. `chats`: only that many chats, the oldest
    rows first (a probe). Returns how many rows were brought forward."""
    heads = (await session.execute(
        select(OutboxMessage.chat_id, OutboxMessage.not_before)
        .where(OutboxMessage.status == "pending", OutboxMessage.not_before > now,
               OutboxMessage.last_error.startswith(mark))
        .order_by(OutboxMessage.id).limit(chats))).all()
    count = 0
    for chat_id, until in heads:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending",
                   OutboxMessage.not_before > now, OutboxMessage.not_before <= until)
            .values(not_before=now)
            .execution_options(synchronize_session=False))
        count += int(result.rowcount or 0)   # type: ignore[attr-defined]
    return count


def card_digest(text: str | None, buttons: Sequence[Any] | None) -> str:
    """What a card shows (its text, and its buttons as rows of [label, data]) as a digest."""
    shown = json.dumps([text or "", buttons or []], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(shown.encode()).hexdigest()


def add_card_copy(session: AsyncSession, *, request_id: int, chat_id: int, message_id: int,
                  kind: str, now: datetime, shown: str | None) -> None:
    """Record a card the bot sent (message `message_id` of `chat_id`) as a copy of the
    request's card; `shown` is a digest of its text and buttons."""
    session.add(CardMessage(request_id=request_id, chat_id=chat_id, message_id=message_id,
                            kind=kind, created_at=now, shown=shown))


async def card_copies(session: AsyncSession, request_id: int) -> Sequence[CardMessage]:
    """Every recorded copy of the request's card, oldest first."""
    statement = (select(CardMessage).where(CardMessage.request_id == request_id)
                 .order_by(CardMessage.id))
    return (await session.execute(statement)).scalars().all()


async def drop_card_copy(session: AsyncSession, *, chat_id: int, message_id: int) -> int:
    """Forget a copy that can no longer be edited; returns how many rows went (0 or 1)."""
    result = await session.execute(
        delete(CardMessage).where(CardMessage.chat_id == chat_id,
                                  CardMessage.message_id == message_id))
    return int(result.rowcount or 0)   # type: ignore[attr-defined]


async def pending_cards(session: AsyncSession, request_id: int) -> Sequence[OutboxMessage]:
    """The request's cards still waiting in the outbox, not claimed by a sender."""
    statement = (select(OutboxMessage)
                 .where(OutboxMessage.request_id == request_id,
                        OutboxMessage.keep_copy.is_(True),
                        OutboxMessage.status == "pending",
                        OutboxMessage.claim_token.is_(None),
                        OutboxMessage.parts_sent == 0)
                 .order_by(OutboxMessage.id))
    return (await session.execute(statement)).scalars().all()


def mark_shown(copy: CardMessage, shown: str | None) -> None:
    """What the copy shows now (None: unknown, its handler edited it)."""
    copy.shown = shown
