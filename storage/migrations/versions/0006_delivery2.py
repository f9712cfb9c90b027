"""delivery2: processed update ids, department chat overrides, undeliverable notices

Revision ID: 0006_delivery2
Revises: 0005_residents

* processed_updates: Telegram update ids already handled (an update delivered twice is
  skipped); pruned by the sweep.
* department_chats: a department's group chat as Telegram last told us (a group upgraded to
  a supergroup); it overrides the config's chat_id.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_delivery2"
down_revision = "0005_residents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_processed_updates_at", "processed_updates", ["at"])
    op.create_table(
        "department_chats",
        sa.Column("department", sa.String(length=32), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("replaces", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("department_chats")
    op.drop_index("ix_processed_updates_at", table_name="processed_updates")
    op.drop_table("processed_updates")
