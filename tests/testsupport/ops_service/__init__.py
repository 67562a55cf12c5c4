"""A minimal service built from the kit alone, with a handler the tests can break and mend:
it proves what every service gets from ``create_service_app`` (parking, retry, health)."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict
from sqlalchemy import text

from vbpkit.messaging.handlers import NotYetKnown
from vbpkit.runtime.service_app import ServiceSpec, create_service_app
from vbpkit.runtime.settings import ServiceSettings

BROKEN_CODES: set[str] = set()  # the "bug": the handler raises for these codes until mended
AWAITED_CODES: set[str] = set()  # facts "of another topic" these codes need, not delivered yet


class OpsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPSTEST_", extra="ignore")


async def record_institution(session, event, envelope) -> None:
    if event.code in AWAITED_CODES:
        raise NotYetKnown(f"{event.code} needs a fact not delivered yet")
    if " after " in event.name:  # "two after one": the event named "one" of the same code came first
        earlier = event.name.split(" after ", 1)[1]
        seen = await session.scalar(text("SELECT count(*) FROM effects WHERE code = :code AND name = :name"),
                                    {"code": event.code, "name": earlier})
        if not seen:
            raise NotYetKnown(f"{event.name} of {event.code}, whose predecessor {earlier!r} was not seen")
    if event.code in BROKEN_CODES:
        raise ValueError(f"cannot handle {event.code} yet")
    await session.execute(
        text("INSERT INTO effects (event_id, code, name) VALUES (:id, :code, :name)"),
        {"id": envelope.event_id, "code": event.code, "name": event.name},
    )


SPEC = ServiceSpec(
    name="monitoring",  # topics exist only for the four services; this one produces nothing
    title="ops test service",
    description="kit only",
    migrations=Path(__file__).parent / "migrations",
    routers=[],
    handlers={"catalog.institution.registered": record_institution},
)


def create_app(settings: OpsSettings):
    return create_service_app(SPEC, settings)
