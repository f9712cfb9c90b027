"""The office's figures, counted from the ledger (台账 is the source of truth)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.model import Status

ESCALATIONS = frozenset({"accept_escalate", "answer_escalate", "office_escalate"})


@dataclass(frozen=True)
class Figures:
    """What happened in a period: counts of ledger events, and the open tasks now overdue."""

    new: int = 0
    routed: int = 0
    triaged: int = 0
    accepted: int = 0
    resolved: int = 0
    closed: int = 0
    escalations: int = 0
    overdue: int = 0


def count(events: Iterable[tuple[str, str | None, str]], *, overdue: int = 0) -> Figures:
    """Figures from (kind, from status, to status) ledger rows.

    Routed: reached a department (confident at submission, or routed by the office);
    triaged: went to the office's queue (unclear at submission, or returned by a department);
    closed: rated, or the survey expired unanswered.
    """
    tally = dict.fromkeys(("new", "routed", "triaged", "accepted", "resolved", "closed",
                           "escalations"), 0)
    for kind, _from, to in events:
        if kind == "submit":
            tally["new"] += 1
        if to == Status.DISPATCHED and kind in ("submit", "route"):
            tally["routed"] += 1
        if to == Status.TRIAGE and kind in ("submit", "return"):
            tally["triaged"] += 1
        if kind == "accept":
            tally["accepted"] += 1
        if kind == "resolve":
            tally["resolved"] += 1
        if kind in ("rate", "survey_expire"):
            tally["closed"] += 1
        if kind in ESCALATIONS:
            tally["escalations"] += 1
    return Figures(**tally, overdue=overdue)
