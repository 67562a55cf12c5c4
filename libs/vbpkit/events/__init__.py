"""Event envelope and the versioned event schemas (DESIGN §6).

One module per producing service; each schema registers itself under its
``(type, version)`` so consumers parse ``data`` into the exact published shape. A
published version is never edited: a change is a new class with ``version = 2``
registered beside the first.
"""

from vbpkit.events.envelope import Envelope, Event, event_schema
from vbpkit.events.registry import parse_event, registered_events

__all__ = ["Envelope", "Event", "event_schema", "parse_event", "registered_events"]
