"""cards: every sent copy of a request's card, kept to edit as the request moves

Revision ID: 0009_cards
Revises: 0008_dupes

* card_messages: (request, chat, message id, kind) of each card the bot sent, and a
  digest of what it shows.
* outbox.keep_copy: the row is a card whose message is kept once sent.
* outbox.edit_message_id: the row edits that message (of its chat) instead of sending one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_cards"
down_revision = "0008_dupes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("shown", sa.String(length=64), nullable=True),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_card_messages_message"),
    )
    op.create_index("ix_card_messages_request_id", "card_messages", ["request_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("keep_copy", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("edit_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("edit_message_id")
        batch.drop_column("keep_copy")
    op.drop_index("ix_card_messages_request_id", table_name="card_messages")
    op.drop_table("card_messages")
