"""The envelope every event travels in, and the registry of event schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

TOPIC_PREFIX = "vbp."
PRODUCERS = ("catalog", "contracts", "settlement", "monitoring")


def topic_for(producer: str) -> str:
    """One topic per producing service (DESIGN §6): ``vbp.catalog`` …"""
    if producer not in PRODUCERS:
        raise ValueError(f"unknown producer {producer!r}")
    return TOPIC_PREFIX + producer


class Event(BaseModel):
    """Base of every event's ``data``. Subclasses set ``type`` and ``version``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    version: ClassVar[int]

    @classmethod
    def producer(cls) -> str:
        return cls.type.split(".", 1)[0]


class Envelope(BaseModel):
    """What goes on the wire; ``key`` is also the Kafka message key (the aggregate id)."""

    model_config = ConfigDict(frozen=True)

    event_id: uuid.UUID
    type: str = Field(pattern=r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
    version: int = Field(ge=1)
    occurred_at: datetime
    producer: str
    key: str
    data: dict[str, Any]


_REGISTRY: dict[tuple[str, int], type[Event]] = {}
E = TypeVar("E", bound=type[Event])


def event_schema(cls: E) -> E:
    """Class decorator: register an event schema under ``(type, version)``."""
    ident = (cls.type, cls.version)
    if ident in _REGISTRY and _REGISTRY[ident] is not cls:
        raise ValueError(f"event {ident} is registered twice")
    if cls.producer() not in PRODUCERS:
        raise ValueError(f"event type {cls.type!r} must start with a producing service")
    _REGISTRY[ident] = cls
    return cls


def registered_events() -> dict[tuple[str, int], type[Event]]:
    from vbpkit.events import catalog, contracts, monitoring, settlement  # noqa: F401  (register the schemas)

    return dict(_REGISTRY)


class UnknownEvent(LookupError):
    pass


def parse_event(envelope: Envelope) -> Event:
    schema = registered_events().get((envelope.type, envelope.version))
    if schema is None:
        raise UnknownEvent(f"no schema for {envelope.type} v{envelope.version}")
    return schema.model_validate(envelope.data)
