"""The service layer: use cases. Each opens the unit of work, loads what it needs, calls the
domain, commits, and returns a plain view (never an ORM row, never HTML)."""

from bot.services.core import Services

__all__ = ["Services"]
