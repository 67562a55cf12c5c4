"""Talking to the Kafka-protocol broker the way both Apache Kafka and Tansu accept.

Measured facts behind these settings (DESIGN §2): Tansu rejects InitProducerId, so
idempotent producers and transactions stay off; it may not auto-create topics, so
every producer and consumer creates the topics it needs at start-up; a Tansu restart
loses everything, which :func:`cluster_id` lets relays and consumers notice.
"""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.protocol.metadata import MetadataRequest

log = logging.getLogger(__name__)


def new_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=False,
        acks="all",
        linger_ms=2,
        request_timeout_ms=10_000,
        max_batch_size=1_048_576,
    )


def new_consumer(bootstrap_servers: str, *, group_id: str, topics: list[str]) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=1_000,
        fetch_max_wait_ms=50,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
    )


async def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
            except TopicAlreadyExistsError:
                pass
            log.info("created topics %s", missing)
    finally:
        await admin.close()


async def cluster_id(client) -> str | None:
    """The broker cluster's id from a Metadata v2+ response (aiokafka does not keep it).

    A fresh embedded broker is started with a new cluster id, so a change of id
    means the broker lost every record and every committed offset.
    """
    node = client.get_random_node()
    if node is None:
        return None
    response = await client.send(node, MetadataRequest([]))
    return getattr(response, "cluster_id", None)


async def ping(bootstrap_servers: str) -> None:
    """Connect and fetch metadata: proof the broker answers now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=2_000)
    await admin.start()
    try:
        await admin.list_topics()
    finally:
        await admin.close()
