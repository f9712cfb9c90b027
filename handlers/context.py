"""The typed callback context: every handler reaches the use cases' services through it."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def svc(self) -> Services:
        return self.application.bot_data["svc"]

    @classmethod
    def from_update(cls, update: object, application: Application[Any, Any, Any, Any, Any, Any],
                    ) -> AppContext:
        return super().from_update(update, application)  # type: ignore[return-value]
