"""Start-up checks that end in one clear line instead of a traceback."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.config import Config, load_config
from storage import migrate
from storage.db import create_engine, database_url

DEFAULT_CONFIG = "lianxin.yaml"
DEFAULT_DATA_DIR = "lianxin-data"


class SetupError(Exception):
    """Something the admin must fix before the bot can run; the message says what."""


def config_path(given: str | None) -> Path:
    return Path(given or os.environ.get("LIANXIN_CONFIG") or DEFAULT_CONFIG)


def read_config(given: str | None) -> Config:
    path = config_path(given)
    if not path.exists():
        raise SetupError(f"no config at {path}: write one with "
                         f"`lianxin demo-config > {path}`, edit it, and try again")
    return load_config(path)


def bot_token() -> str:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise SetupError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather "
                         "(/newbot) and run `export TELEGRAM_BOT_TOKEN=<the token>`")
    return token


def api_url() -> str:
    return os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")


def data_dir() -> Path:
    path = Path(os.environ.get("LIANXIN_DATA_DIR") or DEFAULT_DATA_DIR)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"cannot create the data directory {path}: {exc.strerror}; "
                         "set LIANXIN_DATA_DIR to a writable folder") from None
    return path


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _revisions(connection: Connection) -> tuple[str | None, str | None]:
    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    return current, head


async def prepare_database(url: str | None = None, *, upgrade: bool | None = None) -> None:
    """Check the database answers; upgrade it (SQLite by default) or insist it is current."""
    url = url or database_url()
    try:
        engine = create_engine(url)
    except (ValueError, SQLAlchemyError) as exc:
        raise SetupError(f"DATABASE_URL is not usable ({exc}): use sqlite:///lianxin.db "
                         "or postgresql://user@host:5432/db") from None
    upgrade = engine.dialect.name == "sqlite" if upgrade is None else upgrade
    try:
        async with engine.connect() as connection:
            await connection.execute(text("select 1"))
            current, head = await connection.run_sync(_revisions)
        if upgrade:
            await migrate.upgrade(engine)
        elif current != head:
            raise SetupError(f"the database at {_shown(url)} is at schema {current or 'none'}, "
                             f"not {head}: run `lianxin db upgrade`")
    except (OSError, DBAPIError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise SetupError(f"cannot reach the database at {_shown(url)} ({reason}): "
                         "check DATABASE_URL and that the server is running") from None
    finally:
        await engine.dispose()
