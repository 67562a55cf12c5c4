"""Reading a topic back in tests, without a consumer group."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from vbpkit.events.envelope import Envelope


async def read_topic(bootstrap: str, topic: str, *, expect: int, timeout: float = 20.0) -> list[tuple[str, Envelope]]:
    """All (key, envelope) of ``topic`` once at least ``expect`` arrived, in partition order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        partitions = None
        while not partitions:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await consumer._client.force_metadata_update()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"topic {topic} does not exist")
                await asyncio.sleep(0.1)
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        seen: list[tuple[int, int, str, Envelope]] = []
        while len(seen) < expect and time.monotonic() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                for r in records:
                    seen.append((tp.partition, r.offset, r.key.decode(), Envelope.model_validate_json(r.value)))
        seen.sort(key=lambda s: (s[0], s[1]))
        return [(key, env) for _, _, key, env in seen]
    finally:
        await consumer.stop()
