"""Error types of the fake Telegram Bot API."""

from __future__ import annotations

from dataclasses import dataclass


class TgError(Exception):
    """An error answer, raised inside method handlers: {"ok": false, ...} with that status."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> TgError:
    return TgError(400, f"Bad Request: {detail}")


def too_many(retry_after: int) -> TgError:
    return TgError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


@dataclass(frozen=True)
class ApiError:
    """One non-2xx answer the fake server gave."""

    method: str
    status: int
    description: str
    chat_id: int | str | None = None
    retry_after: int | None = None
