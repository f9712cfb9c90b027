"""residents' self-service: 催办 counted on the request

Revision ID: 0005_residents
Revises: 0004_staff
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_residents"
down_revision = "0004_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("urge_count", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("urged_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("urged_at")
        batch.drop_column("urge_count")
