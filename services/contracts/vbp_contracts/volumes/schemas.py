"""API shapes of the agreed-volumes feature (CON-1)."""

from pydantic import BaseModel


class VolumeRead(BaseModel):
    batch_code: str
    agreement_year: int
    hospital_code: str
    product_id: int
    quantity: int


class VolumePage(BaseModel):
    items: list[VolumeRead]
    next_cursor: str | None
