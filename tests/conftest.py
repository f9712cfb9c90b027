"""Shared fixtures: the demo config, a router built once, and real databases.

Integration tests run on SQLite and on the machine's PostgreSQL (127.0.0.1:5432, user
postgres, database test). Without PostgreSQL they skip with a clear message, except in
CI (CI=true), where its absence is a failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

import bot  # noqa: F401  (sets PTB_TIMEDELTA before telegram is imported)
from bot.config import Config, parse_config
from bot.domain.calendar import WorkCalendar
from bot.routing import Router
from bot.services import Services
from storage import migrate
from storage.db import create_engine, session_factory

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "bot" / "demo_config.yaml"
BASE_PG_URL = os.environ.get("LIANXIN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# each pytest-xdist worker gets a database of its own (test_gw0, test_gw1, …), made on demand
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
PG_URL = f"{BASE_PG_URL}_{_WORKER}" if _WORKER else BASE_PG_URL


def demo_config_data() -> dict:
    return yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def config() -> Config:
    return parse_config(demo_config_data(), str(DEMO_CONFIG))


@pytest.fixture(scope="session")
def router(config: Config, tmp_path_factory: pytest.TempPathFactory) -> Router:
    return Router.build(config, tmp_path_factory.mktemp("router"))


async def _postgres_available() -> str | None:
    """None if PostgreSQL answers (creating this worker's database if needed), else why not."""
    import asyncpg

    try:
        connection = await asyncpg.connect(BASE_PG_URL.replace("postgresql://", "postgres://"),
                                           timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return str(exc)
    name = PG_URL.rsplit("/", 1)[1]
    if PG_URL != BASE_PG_URL and not await connection.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", name):
        await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return None


async def reset_postgres() -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL.replace("postgresql://", "postgres://"))
    await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await connection.close()


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return asyncio.run(_postgres_available())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 postgres_reason: str | None) -> Iterator[str]:
    """An empty database of each kind (PostgreSQL: the public schema dropped and re-made)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lianxin.db'}"
        return
    if postgres_reason is not None:
        message = f"PostgreSQL is not reachable at {PG_URL}: {postgres_reason}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    asyncio.run(reset_postgres())
    yield PG_URL


class Clock:
    """A settable clock, so deadlines and delays are tested without waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))   # Tuesday 10:00 in Shanghai


@pytest.fixture
async def services(database_url: str, config: Config, router: Router,
                   clock: Clock) -> AsyncIterator[Services]:
    """Services over a freshly migrated database, staff synced from the demo config."""
    from bot.services.staff import sync_staff

    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    svc = Services(config=config, calendar=WorkCalendar.from_config(config), router=router,
                   sessions=session_factory(engine), clock=clock)
    await sync_staff(svc, config)
    yield svc
    await engine.dispose()
