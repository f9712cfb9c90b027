"""Alembic: head matches the models; downgrade undoes the upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.db import create_engine
from storage.models import Base


async def test_upgrade_matches_models_and_downgrade_removes_everything(
        database_url: str) -> None:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    await migrate.downgrade(engine)
    async with engine.connect() as connection:
        left = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert left <= {"alembic_version"}
    await engine.dispose()
