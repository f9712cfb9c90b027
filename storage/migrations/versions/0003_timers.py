"""timers and daily runs (what the sweeps fire, the daily jobs done per day); co-handling
departments (协办) and a pending extension (延期) on requests

Revision ID: 0003_timers
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_timers"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "kind", name="uq_timers_request_kind"),
    )
    op.create_index(op.f("ix_timers_due_at"), "timers", ["due_at"], unique=False)
    op.create_table(
        "daily_runs",
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job", "day"),
    )


    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("co_departments", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("extension", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("extension")
        batch.drop_column("co_departments")
    op.drop_table("daily_runs")
    op.drop_index(op.f("ix_timers_due_at"), table_name="timers")
    op.drop_table("timers")
