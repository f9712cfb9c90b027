"""Whether a message written outside any conversation reads like a follow-up on a request
already made ("怎么还没人来", "催一下", "进度怎么样") rather than a new problem.

Only short messages count: a resident describing a new problem writes more than a line, and
a long description that mentions 催 or 还没 is a report, not a chase. Input is normalised text
(Simplified, half-width: bot.routing.normalise); nothing here does I/O.
"""

from __future__ import annotations

import re
from enum import StrEnum

MAX_CHARS = 30   # a follow-up is a line; a new problem is described at more length


class FollowUp(StrEnum):
    CHASE = "chase"          # 催: the resident wants it done (催办)
    QUESTION = "question"    # 进度: the resident asks where it stands


_CHASE = re.compile(
    r"催一下|催催|催办|再催|快点|赶紧|尽快"
    r"|(?:怎么|咋|为什么|为啥)(?:还)?(?:没|不)"
    r"|还(?:没|没有|不)(?:人|来|处理|解决|修|管|回复|答复|弄|办|动静)"
    r"|没人(?:来|管|处理|理)|没有人(?:来|管|处理|理)"
)
_QUESTION = re.compile(
    r"进度|进展|怎么样了|结果了吗|有结果|有消息|有回复|到哪一步|处理了吗|处理好了吗|修了吗"
    r"|什么时候(?:能|来|处理|修|解决|弄)|多久(?:能|才)"
)


def follow_up(text: str) -> FollowUp | None:
    """CHASE or QUESTION for a short message that reads like a follow-up, else None.

    A chase wins over a question ("怎么还没人来，进度呢" is a chase).
    """
    text = text.strip()
    if not text or len(text) > MAX_CHARS:
        return None
    if _CHASE.search(text):
        return FollowUp.CHASE
    if _QUESTION.search(text):
        return FollowUp.QUESTION
    return None
