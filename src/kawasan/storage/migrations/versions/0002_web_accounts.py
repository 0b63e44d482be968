"""What the web app needs: passwords and lock-outs, server-side sessions, API and feed tokens, stored
forecasts, and agencies per regency.

- ``users``: ``password_hash`` (Argon2), ``disabled``, ``failed_logins``, ``locked_until``, ``language``.
- ``web_sessions``, ``api_tokens``, ``forecasts``: new tables.
- ``projects``: ``target_date``, the date the team commits to (at risk: P80 after it).
- ``agencies``: the code is unique per regency (``code``, ``regency``), no longer alone, so every regency
  on a shared server has its own DLH. A regency-level agency that has no regency yet gets the regency of
  the projects when the database holds projects of exactly one regency (every single-regency database);
  otherwise it stays empty and its officers may not act until an administrator sets it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_date', sa.Date(), nullable=True))
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint('uq_agencies_code', type_='unique')
        batch_op.create_unique_constraint('uq_agencies_code_regency', ['code', 'regency'])
        batch_op.create_index('uq_agencies_code_no_regency', ['code'], unique=True,
                              sqlite_where=sa.text('regency IS NULL'), postgresql_where=sa.text('regency IS NULL'))
    _fill_agency_regency()
    op.create_table('web_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('forecasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('state_key', sa.String(length=32), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finish', sa.Date(), nullable=False),
    sa.Column('p50', sa.Date(), nullable=False),
    sa.Column('p80', sa.Date(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('forecast', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_forecasts_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecasts')),
    sa.UniqueConstraint('project_id', 'as_of', 'state_key', name=op.f('uq_forecasts_project_id_as_of_state_key'))
    )
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.create_index('ix_forecasts_project_as_of', ['project_id', 'as_of'], unique=False)


def _fill_agency_regency() -> None:
    """Regency-level agencies without a regency get the one regency of the database's projects, if there is one."""
    bind = op.get_bind()
    regencies = [r[0] for r in bind.execute(sa.text(
        "SELECT DISTINCT regency FROM projects WHERE regency IS NOT NULL")).all()]
    if len(regencies) == 1:
        bind.execute(sa.text("UPDATE agencies SET regency = :r WHERE regency IS NULL AND kind = 'regency'"),
                     {"r": regencies[0]})


def downgrade() -> None:
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.drop_index('ix_forecasts_project_as_of')
    op.drop_table('forecasts')
    op.drop_table('api_tokens')
    op.drop_table('web_sessions')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index('uq_agencies_code_no_regency')
        batch_op.drop_constraint('uq_agencies_code_regency', type_='unique')
        batch_op.create_unique_constraint('uq_agencies_code', ['code'])
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('target_date')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('disabled')
        batch_op.drop_column('password_hash')
