"""Callback data: shape checked in one place, always within Telegram's 64 bytes."""

from __future__ import annotations

import pytest

from bot.notify import callbacks
from bot.notify.callbacks import Callback, encode, parse


def test_round_trip() -> None:
    data = encode(callbacks.ROUTE, "20261125-0001", "community_affairs", "qingnian")
    assert parse(data) == Callback("rt", ("20261125-0001", "community_affairs", "qingnian"))
    assert parse(encode(callbacks.RATE, "20261125-0001", "basic")).args[1] == "basic"


@pytest.mark.parametrize("data", [None, "", "acc", "acc:", "acc:1234", "acc:20261125-0001:x",
                                  "zz:20261125-0001", "rate:20261125-0001:great",
                                  "rt:20261125-0001:DROP TABLE", "d:submit"])
def test_malformed_data_is_refused(data: str | None) -> None:
    assert parse(data) is None


def test_longest_route_fits_64_bytes() -> None:
    assert len(encode(callbacks.ROUTE, "20261125-9999", "a" * 20, "b" * 20).encode()) <= 64
    with pytest.raises(ValueError):
        encode(callbacks.ROUTE, "20261125-9999", "a" * 21)
