"""Tables. Times are stored as UTC and always come back timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Naive UTC in the database (SQLite has no zones), aware UTC in Python."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON,
    }


class Request(Base):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    resident_id: Mapped[int] = mapped_column(BigInteger, index=True)
    resident_name: Mapped[str | None] = mapped_column(String(256))   # Telegram: 64 + " " + 64
    phone: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    traditional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(32), index=True)
    area: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    routing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    co_departments: Mapped[list[Any] | None] = mapped_column(JSON, default=list)   # 协办
    extension: Mapped[dict[str, Any] | None] = mapped_column(JSON)   # a pending 延期 request
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    answer: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(16))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    accept_due_at: Mapped[datetime | None] = mapped_column(index=True)
    answer_due_at: Mapped[datetime | None] = mapped_column(index=True)
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    urge_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")   # 催办
    urged_at: Mapped[datetime | None]
    # filed while its resident was blocked (`residents.block_reason`): to triage, flagged
    flag: Mapped[str | None] = mapped_column(Text)
    # filed by a grid worker (网格员) for the resident named here: `resident_id` is the grid
    # worker, the channel every resident-facing notice goes through
    proxy: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    joined_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")   # +1


class Resident(Base):
    """What the bot keeps about a resident beyond their requests: the script they read
    (Traditional Chinese, from their Telegram language or their writing) and a block set by
    `lianxin residents block` (their reports go to triage, flagged with the reason)."""

    __tablename__ = "residents"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    traditional: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # the mobile number they shared as their own contact (Telegram vouches for it): a grid
    # worker's 代报 for that number shows in their /my, to read
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    block_reason: Mapped[str | None] = mapped_column(Text)
    blocked_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class RequestSubscriber(Base):
    """A resident who joined another's request (+1) instead of filing the same problem again:
    told of its progress and answer (the survey stays with whoever reported it)."""

    __tablename__ = "request_subscribers"
    __table_args__ = (UniqueConstraint("request_id", "resident_id",
                                       name="uq_request_subscribers"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    resident_id: Mapped[int] = mapped_column(BigInteger, index=True)
    traditional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(256))
    added_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class Event(Base):
    """The ledger (台账): append-only, one row per transition."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_role: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Timer(Base):
    """A pending timed action on a request (a reminder, an escalation, a survey step).

    Sweeps claim the due ones by the indexed `due_at` and delete each in the transaction
    that records its action, so it fires once, whatever runs the sweep and however often.
    """

    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("request_id", "kind", name="uq_timers_request_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]


class DailyRun(Base):
    """A daily job done for a local day (the digest, the spot checks): its uniqueness key,
    so two instances, or a restart, never run it twice."""

    __tablename__ = "daily_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    at: Mapped[datetime]


class StaffMember(Base):
    __tablename__ = "staff"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    department: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # where the role comes from: "config" (mirrored at every start), "cli" or "invite"
    source: Mapped[str] = mapped_column(String(16), default="config",
                                        server_default="config")


class StaffInvite(Base):
    """A one-time invite code (only its hash is kept): redeemed once, before it expires."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    department: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class OutboxMessage(Base):
    """A message to deliver; written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),
                      Index("ix_outbox_chat", "chat_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    photos: Mapped[list[Any] | None] = mapped_column(JSON)
    voice: Mapped[str | None] = mapped_column(String(256))
    location: Mapped[list[Any] | None] = mapped_column(JSON)   # [latitude, longitude]
    # a reply keyboard (or its removal) as Telegram's JSON, for a row without inline buttons
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))   # whose claim (lease) it is
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # calls done
    # a card: once sent, its message is kept as a copy (`card_messages`) to edit as it moves
    keep_copy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    edit_message_id: Mapped[int | None] = mapped_column(BigInteger)   # an edit of that message
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class CardMessage(Base):
    """A sent copy of a request's card (a department's group, an assignee's or a
    dispatcher's private chat): edited to the current state whenever the request moves, so
    no copy keeps buttons that no longer apply."""

    __tablename__ = "card_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_card_messages_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    shown: Mapped[str | None] = mapped_column(String(64))   # digest of what it shows; None:
    #                                                         unknown (its handler edited it)


class Conversation(Base):
    """What a user is in the middle of (a report draft, an answer to type), one row per user."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class DailyCounter(Base):
    """Last request sequence number handed out per local day."""

    __tablename__ = "daily_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ProcessedUpdate(Base):
    """A Telegram update already handled: redelivered, it is skipped (pruned by the sweep)."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)


class UnreachableChat(Base):
    """A destination the office was told it cannot reach (403, deleted group); it is told
    again only after the chat was reached (a send succeeded, the user sent /start, the bot
    was added back to the group) and lost once more."""

    __tablename__ = "unreachable_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]


class DepartmentChat(Base):
    """A department's group chat as Telegram last told us (a group upgraded to a supergroup
    gets a new id); it overrides the config's `chat_id` (`replaces`)."""

    __tablename__ = "department_chats"

    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    replaces: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class RoutingModel(Base):
    """The learned routing model, shared by every instance."""

    __tablename__ = "routing_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trained_at: Mapped[datetime]
    examples: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
