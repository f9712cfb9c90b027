"""access: residents (script preference, block), flagged and grid-worker (代报) requests

Revision ID: 0007_access
Revises: 0006_delivery2

* residents: one row per resident the bot had to remember something about: reads
  Traditional Chinese; the phone they shared as their own contact; blocked (reason, when)
  by `lianxin residents block`.
* requests.flag: the block reason a request was filed under (it went to triage, flagged).
* requests.proxy: filed by a grid worker (网格员) on a resident's behalf; resident_id is then
  the grid worker, through whom the resident is reached.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_access"
down_revision = "0006_delivery2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "residents",
        sa.Column("telegram_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("traditional", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("block_reason", sa.Text(), nullable=True),
        sa.Column("blocked_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_residents_phone", "residents", ["phone"])
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("flag", sa.Text(), nullable=True))
        batch.add_column(sa.Column("proxy", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("proxy")
        batch.drop_column("flag")
    op.drop_index("ix_residents_phone", table_name="residents")
    op.drop_table("residents")
