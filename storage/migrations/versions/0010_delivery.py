"""delivery: reply keyboards in the outbox, unreachable destinations told until reached

Revision ID: 0010_delivery
Revises: 0009_cards

* outbox.reply_markup: a direct reply that failed keeps its reply keyboard (Telegram's JSON).
* unreachable_chats: destinations the office was told about; a chat reached again is
  removed, so a later loss is told again. Filled from the notices already queued (their
  dedupe key `unreachable:<chat>:<office>`), which no longer carry the key.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_delivery"
down_revision = "0009_cards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("reply_markup", sa.JSON(), nullable=True))
    table = op.create_table(
        "unreachable_chats",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    bind = op.get_bind()
    told = bind.execute(sa.text(
        "SELECT dedupe_key, created_at FROM outbox WHERE kind = 'unreachable' "
        "AND dedupe_key LIKE 'unreachable:%'")).all()
    chats: dict[int, object] = {}
    for key, at in told:
        chat = key.split(":")[1]
        if chat.lstrip("-").isdigit():
            chats.setdefault(int(chat), at)
    if chats:
        op.bulk_insert(table, [{"chat_id": c, "at": at} for c, at in chats.items()])
    bind.execute(sa.text("UPDATE outbox SET dedupe_key = NULL WHERE kind = 'unreachable' "
                         "AND dedupe_key LIKE 'unreachable:%'"))


def downgrade() -> None:
    op.drop_table("unreachable_chats")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("reply_markup")
