"""Events produced by the catalog service (topic ``vbp.catalog``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from vbpkit.events.envelope import Event, event_schema


@event_schema
class InstitutionRegistered(Event):
    """CAT-9: an institution was registered or its registry entry changed.

    Consumers keep it in their read models: the level decides the fund a prepayment
    draws on (SET-3), the region drives monitoring roll-ups (MON-1, MON-8).
    """

    type = "catalog.institution.registered"
    version = 1

    code: str = Field(min_length=1, max_length=64)
    name: str
    level: Literal[1, 2, 3]
    kind: Literal["public", "military", "private", "retail_pharmacy"]
    region_code: str = Field(pattern=r"^\d{6}$")
