"""The resident's self-service on a submitted request: 补充材料 and 催办.

Each function checks the rules table, changes the request if anything, and returns the one
ledger event that records it (withdraw and rate are in bot.domain.transitions). Neither
changes the status: the holder is told (bot.notify.policy, "# residents' self-service").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.errors import TooSoon
from bot.domain.model import Status
from bot.domain.rules import Actor, check
from bot.domain.transitions import LedgerEvent, RequestState, move

URGE_EVERY = timedelta(hours=24)   # 催办 at most once a day: a reminder, not a harassment


class Urgeable(RequestState, Protocol):
    urge_count: int
    urged_at: datetime | None


def add_information(req: RequestState, actor: Actor, *, text: str | None,
                    photos: tuple[str, ...] = (), voice: str | None = None,
                    at: datetime) -> LedgerEvent:
    """补充材料: the resident's text, photos or voice (Telegram file ids) for whoever holds
    the request; logged whole in the ledger."""
    check("add_info", actor, req)
    detail: dict[str, object] = {"text": text or ""}
    if photos:
        detail["photos"] = list(photos)
    if voice:
        detail["voice"] = voice
    return move(req, "add_info", actor, Status(req.status), at, **detail)


def urge(req: Urgeable, actor: Actor, *, at: datetime) -> LedgerEvent:
    """催办: the holder is reminded; at most once per `URGE_EVERY`, counted on the request.

    Raises TooSoon (with when it is allowed again) for a second 催办 within the day.
    """
    check("urge", actor, req)
    if req.urged_at is not None and at - req.urged_at < URGE_EVERY:
        raise TooSoon(req.urged_at + URGE_EVERY)
    req.urge_count, req.urged_at = (req.urge_count or 0) + 1, at
    return move(req, "urge", actor, Status(req.status), at, count=req.urge_count)


class Joinable(RequestState, Protocol):
    joined_count: int


def join(req: Joinable, actor: Actor, *, text: str, photos: tuple[str, ...] = (),
         at: datetime) -> LedgerEvent:
    """+1: another resident with the same problem joins the request instead of filing it
    again (the service subscribes them); `text` and `photos` (Telegram file ids) are what
    they had described. The ledger row says 又有一位居民反映 and how many residents are now
    affected (the reporter included).

    Raises NotAllowed for the reporter themselves, WrongState once it is answered or closed.
    """
    check("join", actor, req)
    req.joined_count = (req.joined_count or 0) + 1
    detail: dict[str, object] = {"count": req.joined_count + 1, "text": text}
    if photos:
        detail["photos"] = list(photos)
    return move(req, "join", actor, Status(req.status), at, **detail)


class Personal(RequestState, Protocol):
    resident_name: str | None
    phone: str | None
    address: str | None
    latitude: float | None
    longitude: float | None


def erase_personal_data(req: Personal, actor: Actor, *, at: datetime) -> LedgerEvent:
    """The resident's personal data (name, phone, address, location) erased from the request;
    the request and its ledger stay (the service anonymises the ledger's rows). The practice:
    a person may have their data erased while the public record of the work is kept."""
    check("erase", actor, req)
    req.resident_name = req.phone = req.address = None
    req.latitude = req.longitude = None
    return move(req, "erase", actor, Status(req.status), at)
