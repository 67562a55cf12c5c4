from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator
from vbpkit.domain.money import YuanFromFen


class TransferCreate(BaseModel):
    """CON-7: move the remaining volume of a failing product's items to its designated backup."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    failing_product_id: int = Field(ge=1, description="the failing winning product")
    backup_product_id: int = Field(ge=1, description="a backup designated for it in the hospitals' region (CAT-13)")
    hospital_codes: list[str] | None = Field(
        default=None, min_length=1, max_length=500,
        description="the hospitals whose items move; omitted: every hospital of your region with an effective item")
    quantity: int | None = Field(
        default=None, ge=1, le=100_000_000,
        description="a stated quantity, for one hospital; omitted: all that remains (agreed − accepted net of returns)")
    transfer_on: date | None = Field(default=None, description="the day the backup takes over; default today")
    emergency: bool = Field(default=False, description="route orders for the backup to its distributor at once, "
                            "while the new agreement version collects its three signatures")
    distributor_code: str | None = Field(
        default=None, min_length=18, max_length=18,
        description="the backup's distributor for an emergency; default the one in the hospital's agreement "
                    "with the backup's manufacturer")
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_hospital_for_a_quantity(self):
        if self.quantity is not None and (self.hospital_codes is None or len(self.hospital_codes) != 1):
            raise ValueError("quantity: a stated quantity is for one hospital; name exactly one in hospital_codes")
        return self


class TransferRead(BaseModel):
    id: int
    batch_code: str
    agreement_year: int
    hospital_code: str
    hospital_name: str | None
    failing_product_id: int
    failing_agreement_id: int
    failing_manufacturer_code: str
    failing_manufacturer_name: str | None
    backup_id: int
    backup_product_id: int
    backup_agreement_id: int
    backup_agreement_status: str = Field(description="draft until the three parties sign it, then effective")
    backup_manufacturer_code: str
    backup_manufacturer_name: str | None
    distributor_code: str | None
    remaining: int = Field(description="agreed − accepted net of returns when transferred")
    quantity: int
    unit_price: YuanFromFen = Field(description="the backup's price for this hospital")
    transfer_on: date
    emergency: bool
    reason: str
    recorded_by: str
    recorded_at: datetime
    explain: dict


class TransferResult(BaseModel):
    transfers: list[TransferRead]


class TransferPage(BaseModel):
    items: list[TransferRead]
    next_cursor: int | None = None
