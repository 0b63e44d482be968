"""Tamper evidence: every event carries a hash chained to the previous event of its project.

- ``events.chain_hash``: SHA-256 of the previous hash of the project's chain and the event's canonical
  JSON (:mod:`kawasan.storage.chain`). Existing events get their chain here, per project in id order.
- The append-only triggers are removed while the back-fill writes the new column and installed again
  afterwards (:mod:`kawasan.storage.guard`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kawasan.storage import chain, guard

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

def _events_table(bind) -> sa.Table:
    return sa.Table("events", sa.MetaData(), autoload_with=bind)


def _backfill(bind) -> None:
    """Compute the chain of every project (and of the events without a project) in id order."""
    events = _events_table(bind)
    heads: dict = {}
    rows = bind.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    for row in rows:
        pid = row["project_id"]
        heads[pid] = chain.link(heads.get(pid, chain.GENESIS), row)
        bind.execute(events.update().where(events.c.id == row["id"]).values(chain_hash=heads[pid]))


def upgrade() -> None:
    bind = op.get_bind()
    guard.drop_guard(bind)
    op.add_column('events', sa.Column('chain_hash', sa.String(length=64), nullable=True))
    _backfill(bind)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('chain_hash', existing_type=sa.String(length=64), nullable=False)
    guard.install_guard(bind)


def downgrade() -> None:
    bind = op.get_bind()
    guard.drop_guard(bind)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('chain_hash')
    guard.install_guard(bind)
