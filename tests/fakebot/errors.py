"""Error types of the fake Telegram Bot API."""

from __future__ import annotations

from dataclasses import dataclass


class TgError(Exception):
    """An error answer, raised inside method handlers: {"ok": false, ...} with that status."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(detail: str) -> TgError:
    return TgError(400, f"Bad Request: {detail}")


def migrated(new_chat_id: int) -> TgError:
    """400 for a basic group that became a supergroup; PTB raises ChatMigrated(new_chat_id)."""
    return TgError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=new_chat_id,
    )


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
