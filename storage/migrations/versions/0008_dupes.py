"""dupes: residents who joined a request (+1), and how many did

Revision ID: 0008_dupes
Revises: 0007_access

* request_subscribers: a resident subscribed to another's request instead of filing the same
  problem again (told of its progress and answer).
* requests.joined_count: how many residents joined (the card shows 1 + it as 涉及居民).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_dupes"
down_revision = "0007_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("joined_count", sa.Integer(), nullable=False,
                                   server_default="0"))
    op.create_table(
        "request_subscribers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=False),
        sa.Column("traditional", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("request_id", "resident_id", name="uq_request_subscribers"),
    )
    op.create_index("ix_request_subscribers_request_id", "request_subscribers",
                    ["request_id"])
    op.create_index("ix_request_subscribers_resident_id", "request_subscribers",
                    ["resident_id"])


def downgrade() -> None:
    op.drop_index("ix_request_subscribers_resident_id", table_name="request_subscribers")
    op.drop_index("ix_request_subscribers_request_id", table_name="request_subscribers")
    op.drop_table("request_subscribers")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("joined_count")
