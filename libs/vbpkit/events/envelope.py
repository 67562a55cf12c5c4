"""The envelope every event travels in, the base of every event schema and the decorator that
registers one (the registry, with every schema module loaded, is :mod:`vbpkit.events.registry`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from vbpkit.runtime.topology import SERVICES

TOPIC_PREFIX = "vbp."


def topic_for(producer: str) -> str:
    """One topic per producing service (DESIGN §6): ``vbp.catalog`` …"""
    if producer not in SERVICES:
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


SCHEMAS: dict[tuple[str, int], type[Event]] = {}
"""Every event schema by ``(type, version)``; written only by :func:`event_schema` (a test may
swap in a copy, so throwaway events leave no trace), read through
:func:`vbpkit.events.registry.registered_events`."""
E = TypeVar("E", bound=type[Event])


def event_schema(cls: E) -> E:
    """Class decorator: register an event schema under ``(type, version)``."""
    ident = (cls.type, cls.version)
    if ident in SCHEMAS and SCHEMAS[ident] is not cls:
        raise ValueError(f"event {ident} is registered twice")
    if cls.producer() not in SERVICES:
        raise ValueError(f"event type {cls.type!r} must start with a producing service")
    SCHEMAS[ident] = cls
    return cls
