"""The embedded PostgreSQL killed as a crash would and started again (what bench/chaos.py does to
the platform's database): what was committed is there, and the URI handed out still reaches it."""

import asyncpg
from sqlalchemy.engine import make_url

from vbptools.embedded import EmbeddedPostgres


async def connect(uri: str) -> asyncpg.Connection:
    url = make_url(uri)
    return await asyncpg.connect(user=url.username, host=url.query.get("host", url.host), port=url.port,
                                 database=url.database)


class TestAKilledServerRecovers:
    async def test_sigkill_then_revive_keeps_what_was_committed_at_the_same_uri(self, tmp_path):
        server = EmbeddedPostgres(tmp_path / "pg")
        uri = server.start()
        try:
            connection = await connect(uri)
            await connection.execute("CREATE TABLE kept (n int)")
            await connection.execute("INSERT INTO kept VALUES (1)")
            assert server.kill() > 1  # the postmaster and its backends
            try:
                await connection.fetchval("SELECT 1")
                raise AssertionError("the connection outlived the server")
            except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, OSError):
                pass
            server.revive()
            again = await connect(uri)
            assert await again.fetchval("SELECT count(*) FROM kept") == 1
            await again.close()
        finally:
            server.stop()


class TestTheServerAdmitsAWholePlatform:
    async def test_it_admits_more_clients_than_postgresql_s_default_hundred_and_keeps_the_setting(self, tmp_path):
        """Four services' pools (up to 30 each), their consumers, the gateway and a second platform
        in the same test worker ran PostgreSQL's 100 out ("sorry, too many clients already")."""
        server = EmbeddedPostgres(tmp_path / "pg")
        uri = server.start()
        try:
            connections = [await connect(uri) for _ in range(150)]
            assert await connections[0].fetchval("SHOW max_connections") == str(EmbeddedPostgres.MAX_CONNECTIONS)
            for connection in connections:
                await connection.close()
        finally:
            server.stop()
        again = server.start()  # a second start finds the setting in place and does not restart
        try:
            connection = await connect(again)
            assert await connection.fetchval("SHOW max_connections") == str(EmbeddedPostgres.MAX_CONNECTIONS)
            await connection.close()
        finally:
            server.stop()
