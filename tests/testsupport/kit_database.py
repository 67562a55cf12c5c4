"""A database holding only the kit's tables, built by the kit's own migration step."""

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from vbpkit.db.engine import create_sessionmaker
from vbpkit.db.migrations import create_kit_tables_v1, create_kit_tables_v2, create_outbox_notify_v3


async def kit_sessionmaker(url: str, *extra_ddl: str) -> async_sessionmaker[AsyncSession]:
    engine = create_async_engine(url)

    def migrate(connection):
        with Operations.context(MigrationContext.configure(connection)):
            create_kit_tables_v1()
            create_kit_tables_v2()
            create_outbox_notify_v3()

    async with engine.begin() as connection:
        await connection.run_sync(migrate)
        for ddl in extra_ddl:
            await connection.exec_driver_sql(ddl)
    return create_sessionmaker(engine)
