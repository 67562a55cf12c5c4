"""Talking to the Kafka-protocol broker the way both Apache Kafka and Tansu accept.

Measured facts behind these settings (DESIGN §2): Tansu rejects InitProducerId, so
idempotent producers and transactions stay off; it may not auto-create topics, so
every producer and consumer creates the topics it needs at start-up; a Tansu restart
loses everything, which :func:`cluster_id` lets relays and consumers notice.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.protocol.metadata import MetadataRequest

from vbpkit.runtime.supervised_loops import cancelled_from_outside

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


async def stop_quietly(client: AIOKafkaConsumer | AIOKafkaProducer, *, timeout: float = 5.0) -> None:
    """Stop a consumer or producer whose broker may be gone, without ending the caller.

    aiokafka 0.14's ``Fetcher.close()`` cancels a pending fetch task and re-raises that
    task's ``CancelledError`` (aio-libs/aiokafka#647), and a broker that is down can make
    ``stop()`` hang or fail. Neither may end the loop that owns the client, so both are
    logged and swallowed here — unless the caller's own task is being cancelled (the
    service shutting down), which still propagates.

    ``stop()`` marks the client closed before it has finished, so a second ``stop()`` does
    nothing: a half-stopped client's connections and metadata task are closed directly.
    """
    try:
        await asyncio.wait_for(client.stop(), timeout=timeout)
        return
    except asyncio.CancelledError:
        if cancelled_from_outside():
            await _close_connections(client)
            raise
        log.info("%s stop was interrupted by a child task's cancellation", type(client).__name__)
    except Exception as exc:  # the broker is gone; the client is discarded anyway
        log.info("%s stop failed: %s: %s", type(client).__name__, type(exc).__name__, exc)
    await _close_connections(client)


async def _close_connections(client: AIOKafkaConsumer | AIOKafkaProducer) -> None:
    # a consumer keeps its AIOKafkaClient as ``_client``, a producer as ``client``
    kafka_client = getattr(client, "_client", None) or getattr(client, "client", None)
    if kafka_client is None:
        return
    try:
        await asyncio.wait_for(kafka_client.close(), timeout=2)
    except asyncio.CancelledError:
        if cancelled_from_outside():
            raise
    except Exception:
        log.debug("closing a half-stopped client failed", exc_info=True)
