"""vbpkit.messaging.replay (MON-8 rebuild): a consumer empties its read models with its inbox and reads
every topic again from the beginning; the rebuilt read model equals the one kept event by
event, nothing counted twice, and a replay is refused while the consumer is not connected."""

import uuid

import pytest
from sqlalchemy import text

from testsupport.kit_database import kit_sessionmaker
from test_inbox import EFFECTS_DDL, Effects, consumer_for, effect_counts, publish
from testsupport import eventually, running
from vbpkit.messaging.inbox import ReplayRefused
from vbpkit.messaging.replay import empty


class TestReplayFromTheBeginning:
    async def test_the_read_model_is_rebuilt_from_every_event_once(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("replay"), EFFECTS_DDL)
        bootstrap = fresh_broker.bootstrap_servers
        codes = [f"H{n}" for n in range(8)]
        await publish(sessionmaker, bootstrap, codes)
        handler = Effects()
        async with running(consumer_for(sessionmaker, bootstrap, handler, f"g-{uuid.uuid4().hex[:6]}")) as inbox:
            async def all_applied():
                assert await effect_counts(sessionmaker) == {code: 1 for code in codes}
            await eventually(all_applied)
            async with sessionmaker() as session, session.begin():  # a read model gone wrong
                await session.execute(text("UPDATE effects SET code = 'WRONG' WHERE code = 'H3'"))
            started = await inbox.replay(lambda session: empty(session, ["effects"]))
            assert started == {"topics": ["vbp.catalog"], "partitions": 3}

            async def rebuilt():
                assert await effect_counts(sessionmaker) == {code: 1 for code in codes}
                assert await inbox.lag() == 0
            await eventually(rebuilt)
            await publish(sessionmaker, bootstrap, ["H8"])  # and it goes on from there

            async def went_on():
                assert await effect_counts(sessionmaker) == {code: 1 for code in [*codes, "H8"]}
            await eventually(went_on)
        assert inbox.replays_total == 1
        assert handler.calls == 8 + 8 + 1

    async def test_a_consumer_not_connected_refuses_to_replay(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("replay"), EFFECTS_DDL)
        inbox = consumer_for(sessionmaker, fresh_broker.bootstrap_servers, Effects(), "g")
        with pytest.raises(ReplayRefused):
            await inbox.replay(lambda session: empty(session, ["effects"]))
