"""Projects started from the map: where the site came from.

- ``projects.site_origin`` (JSON, nullable): the suitability run the site was taken from (its id in the
  server's data folder and its checksum), the candidate site's id when it was one, and the site check's
  result (passes, rule by rule) at the time the project was created.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_origin', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('site_origin')
