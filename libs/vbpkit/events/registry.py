"""Every published event schema, loaded: what consumers parse an envelope's ``data`` with.

The schema modules register themselves with :func:`vbpkit.events.envelope.event_schema` as they
are imported; this module imports them all, so asking it is asking the whole registry (and the
envelope module, which they import, never has to import them back).
"""

from __future__ import annotations

from vbpkit.events import catalog, contracts, envelope, monitoring, settlement  # noqa: F401  (register the schemas)
from vbpkit.events.envelope import Envelope, Event


class UnknownEvent(LookupError):
    pass


def registered_events() -> dict[tuple[str, int], type[Event]]:
    return dict(envelope.SCHEMAS)


def parse_event(received: Envelope) -> Event:
    schema = envelope.SCHEMAS.get((received.type, received.version))
    if schema is None:
        raise UnknownEvent(f"no schema for {received.type} v{received.version}")
    return schema.model_validate(received.data)
