"""The AsyncAPI 3 document generated from the registered event schemas (DESIGN §6)."""

from __future__ import annotations

from vbpkit.events.envelope import Envelope, topic_for
from vbpkit.events.registry import registered_events
from vbpkit.runtime.topology import SERVICES


def asyncapi_document() -> dict:
    channels: dict = {}
    operations: dict = {}
    messages: dict = {}
    for producer in SERVICES:
        channels[producer] = {"address": topic_for(producer), "messages": {}}
    schemas: dict = {}
    for (event_type, version), schema in sorted(registered_events().items()):
        name = f"{event_type}.v{version}"
        envelope = Envelope.model_json_schema()
        envelope["properties"]["type"] = {"const": event_type}
        envelope["properties"]["version"] = {"const": version}
        # nested models become shared component schemas, so every $ref resolves from the root
        data = schema.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(data.pop("$defs", {}))
        envelope["properties"]["data"] = data
        messages[name] = {
            "name": event_type,
            "title": schema.__name__,
            "summary": (schema.__doc__ or "").strip().splitlines()[0] if schema.__doc__ else "",
            "contentType": "application/json",
            "headers": {"type": "object", "properties": {"key": {"type": "string", "description": "aggregate id"}}},
            "payload": envelope,
        }
        channels[schema.producer()]["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for producer in SERVICES:
        operations[f"publish_{producer}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{producer}"},
            "summary": f"events the {producer} service publishes through its outbox",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "VBP execution platform events",
            "version": "1.0.0",
            "description": "At-least-once through a transactional outbox; consumers dedupe by event_id. "
            "The Kafka message key is the aggregate id.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
