"""A fault-injecting TCP proxy in front of a real Kafka-protocol broker (issue 21).

The broker advertises the proxy's address, so every connection a client makes — bootstrap and
partition leader alike — goes through it. The proxy forwards each request and its response
unchanged, one request at a time per connection, except the Produce requests it was told to
refuse: those it answers itself, every partition with UNKNOWN_SERVER_ERROR (-1), the error Tansu
answered when the chaos run saw a record overtake its predecessor. The records of a refused
request never reach the broker, while the producer goes on sending what it has queued after them.
"""

from __future__ import annotations

import asyncio
import struct
from io import BytesIO

from aiokafka.protocol import produce

PRODUCE = 0
UNKNOWN_SERVER_ERROR = -1


class FaultyKafkaProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1", port: int):
        self.upstream = (upstream_host, upstream_port)
        self.host, self.port = host, port
        self.refuse_produces = 0  # how many of the next Produce requests carrying records to refuse
        self.refused: list[dict[str, list[int]]] = []  # topic → partitions of each refused request
        self.forwarded_produces = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        upstream_writer = None
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            while True:
                request = await _frame(client_reader)
                api_key, api_version, correlation_id = struct.unpack(">hhi", request[:8])
                if api_key == PRODUCE and self.refuse_produces and _carries_records(request, api_version):
                    self.refuse_produces -= 1
                    client_writer.write(_refusal(request, api_version, correlation_id, self.refused))
                    await client_writer.drain()
                    continue
                if api_key == PRODUCE:
                    self.forwarded_produces += 1
                upstream_writer.write(struct.pack(">i", len(request)) + request)
                await upstream_writer.drain()
                response = await _frame(upstream_reader)
                client_writer.write(struct.pack(">i", len(response)) + response)
                await client_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    writer.close()


async def _frame(reader: asyncio.StreamReader) -> bytes:
    (size,) = struct.unpack(">i", await reader.readexactly(4))
    return await reader.readexactly(size)


def _body(request: bytes) -> BytesIO:
    """The request after its v1 header (api key, version, correlation id, client id)."""
    (client_id_length,) = struct.unpack(">h", request[8:10])
    return BytesIO(request[10 + max(client_id_length, 0):])


def _topics(request: bytes, api_version: int) -> list[tuple[str, list[tuple[int, bytes]]]]:
    return getattr(produce, f"ProduceRequest_v{api_version}").decode(_body(request)).topics


def _carries_records(request: bytes, api_version: int) -> bool:
    return any(records for _, partitions in _topics(request, api_version) for _, records in partitions)


def _refusal(request: bytes, api_version: int, correlation_id: int, log: list) -> bytes:
    topics = _topics(request, api_version)
    log.append({topic: [p for p, _ in partitions] for topic, partitions in topics})
    response_class = getattr(produce, f"ProduceRequest_v{api_version}").RESPONSE_TYPE
    # per partition: error code, then offset, timestamp (v2+) and log start offset (v5+), all -1
    failed = (UNKNOWN_SERVER_ERROR, -1, -1, -1)[: 2 + (api_version >= 2) + (api_version >= 5)]
    fields = {"topics": [(topic, [(p, *failed) for p, _ in partitions]) for topic, partitions in topics]}
    if "throttle_time_ms" in response_class.SCHEMA.names:
        fields["throttle_time_ms"] = 0
    body = response_class(**fields).encode()
    payload = struct.pack(">i", correlation_id) + body
    return struct.pack(">i", len(payload)) + payload
