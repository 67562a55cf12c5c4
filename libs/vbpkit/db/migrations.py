"""Alembic plumbing shared by every service's migration history.

Each service keeps its own ``migrations/`` folder (its tables only); this module
holds the ``env.py`` body they all share, the start-up upgrade, and the kit's own
tables as a frozen, versioned migration step.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from vbpkit.db.tables import OUTBOX_CHANNEL

MIGRATION_LOCK = 0x5642_504D_4947  # "VBPMIG": replicas starting together migrate one at a time


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["url"] = url
    return config


def upgrade_to_head(script_location: Path, url: str) -> None:
    """Apply this service's migrations (called at start-up, in a worker thread)."""
    command.upgrade(alembic_config(script_location, url), "head")


def run_env(target_metadata, *, url_env: str) -> None:
    """The whole ``env.py`` of a service: online, async, under an advisory lock."""
    import os

    url = context.config.attributes.get("url") or os.environ.get(url_env)
    if not url:
        raise RuntimeError(f"set {url_env} to the service's database URL")

    def migrate(connection) -> None:
        connection.execute(sa.text(f"SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        try:
            context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.execute(sa.text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            connection.commit()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=sa.pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(main())


def create_kit_tables_v1() -> None:
    """Outbox, relay state, inbox and idempotency keys, as first released."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("envelope", postgresql.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "outbox_relay_state",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("broker_cluster_id", sa.String(200)),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_relay_state"),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("headers", postgresql.JSONB),
        sa.Column("body", sa.LargeBinary),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
    )


def create_kit_tables_v2() -> None:
    """Parked events, and the indexes the retention pruning deletes by (issue 7 item 7)."""
    op.create_table(
        "parked_events",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("envelope", postgresql.JSONB, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parked_events"),
        sa.UniqueConstraint("event_id", name="uq_parked_events_event_id"),
    )
    op.create_index("ix_parked_events_key", "parked_events", ["key"])
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])



def create_outbox_notify_v3() -> None:
    """Wake the relay on commit instead of letting it poll (issue 13, item 3): a statement-level
    trigger on the outbox NOTIFYs ``vbp_outbox``. PostgreSQL delivers a notification only when
    the inserting transaction commits, and folds a transaction's identical ones into one, so a
    bulk post of 10,000 events (one COPY) wakes the relay once, after the rows are visible."""
    op.execute(f"""
        CREATE FUNCTION vbp_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{OUTBOX_CHANNEL}', '');
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
               "FOR EACH STATEMENT EXECUTE FUNCTION vbp_outbox_notify()")


def drop_outbox_notify_v3() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS vbp_outbox_notify()")


def create_frozen_clock_v4() -> None:
    """Kit v4: where a frozen clock was last set, kept across a restart (issue 13, the chaos run)."""
    op.create_table(
        "frozen_clock",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("now", sa.DateTime(timezone=True), nullable=False),
        sa.Column("setting", sa.Text, nullable=False,
                  comment="the CLOCK setting the service ran under when it was set"),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_frozen_clock"),
    )


def drop_frozen_clock_v4() -> None:
    op.drop_table("frozen_clock")
