"""staff sources and one-time invite codes

Revision ID: 0004_staff
Revises: 0003_delivery
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_staff"
down_revision = "0003_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False,
                                   server_default="config"))
    op.create_table(
        "staff_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )


def downgrade() -> None:
    op.drop_table("staff_invites")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("source")
