from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class DeliveryLineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    line_no: int = Field(ge=1, le=100_000, description="the order line delivered")
    quantity: int = Field(ge=1, le=2_147_483_647)
    lot: str = Field(min_length=1, max_length=64, description="批号")
    udi: str | None = Field(default=None, max_length=200, description="医疗器械唯一标识, optional")


class DeliveryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: int
    delivered_on: date
    lines: list[DeliveryLineCreate] = Field(min_length=1)


class AcceptanceLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: int
    accepted_quantity: int = Field(ge=0, le=2_147_483_647)


class Acceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted_on: date
    lines: list[AcceptanceLine] = Field(min_length=1)


class ReturnCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    delivery_id: int
    line_no: int
    quantity: int = Field(ge=1, le=2_147_483_647)
    reason: str = Field(min_length=1, max_length=500)
    returned_on: date


class DeliveryLineRead(BaseModel):
    line_no: int
    quantity: int
    lot: str
    udi: str | None
    accepted_quantity: int | None
    returned_quantity: int


class DeliveryRead(BaseModel):
    id: int
    order_id: int
    hospital_code: str
    distributor_code: str
    delivered_on: date
    accepted_on: date | None
    recorded_at: datetime
    lines: list[DeliveryLineRead]

    @classmethod
    def of(cls, view) -> "DeliveryRead":
        """From a ``deliveries.service.DeliveryView``."""
        delivery = view.delivery
        return cls(
            id=delivery.id, order_id=delivery.order_id, hospital_code=delivery.hospital_code,
            distributor_code=delivery.distributor_code, delivered_on=delivery.delivered_on,
            accepted_on=delivery.accepted_on, recorded_at=delivery.recorded_at,
            lines=[DeliveryLineRead(line_no=l.line_no, quantity=l.quantity, lot=l.lot, udi=l.udi,
                                    accepted_quantity=l.accepted_quantity, returned_quantity=l.returned_quantity)
                   for l in view.lines],
        )


class ReturnRead(BaseModel):
    id: int
    delivery_id: int
    line_no: int
    quantity: int
    reason: str
    returned_on: date

    @classmethod
    def of(cls, row) -> "ReturnRead":
        return cls(id=row.id, delivery_id=row.delivery_id, line_no=row.line_no, quantity=row.quantity,
                   reason=row.reason, returned_on=row.returned_on)
