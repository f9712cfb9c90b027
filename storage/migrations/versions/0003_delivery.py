"""delivery: claim tokens and sent parts on outbox rows, a per-chat index, wider resident names

Revision ID: 0003_delivery
Revises: 0003_timers

* outbox.claim_token: which claim (instance, batch) holds the lease; a result is recorded
  only by the holder.
* outbox.parts_sent: how many of a row's Bot API calls (album, voice, location, text)
  Telegram confirmed, so a retry resumes after them.
* ix_outbox_chat: the claim takes whole chats.
* requests.resident_name: 256 (a Telegram full name is up to 64 + 1 + 64 = 129 characters).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_delivery"
down_revision = "0003_timers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.create_index("ix_outbox_chat", ["chat_id", "status"])
    with op.batch_alter_table("requests") as batch:
        batch.alter_column("resident_name", existing_type=sa.String(length=128),
                           type_=sa.String(length=256), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.alter_column("resident_name", existing_type=sa.String(length=256),
                           type_=sa.String(length=128), existing_nullable=True)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_chat")
        batch.drop_column("parts_sent")
        batch.drop_column("claim_token")
