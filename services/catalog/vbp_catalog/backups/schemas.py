from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.domain.money import YuanFromFen

from vbp_catalog.backups.models import Backup


class BackupDesignation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    backup_product_id: int = Field(ge=1, le=BIGINT_MAX, description="the product that supplies instead")
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$", description=(
        "where the backup supplies (and the regions under it); default: the insurer's own region"))
    reason: str = Field(min_length=1, max_length=500, examples=["中选企业断供，启用备选企业 (渝医保发〔2026〕8号)"])


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500)


class BackupRead(BaseModel):
    id: int
    batch_code: str
    failing_product_id: int
    backup_product_id: int
    region_code: str
    price: YuanFromFen = Field(description="the backup's price (with service) when designated")
    price_cap: YuanFromFen | None = Field(description="a non-winning backup's cap: the policy's backup_price_cap_ratio "
                                                      "× the failing product's winning price")
    reason: str
    status: Literal["active", "withdrawn"]
    designated_by: str
    designated_at: datetime
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None

    @classmethod
    def of(cls, row: Backup) -> BackupRead:
        return cls(id=row.id, batch_code=row.batch_code, failing_product_id=row.failing_product_id,
                   backup_product_id=row.backup_product_id, region_code=row.region_code, price=row.price_fen,
                   price_cap=row.price_cap_fen, reason=row.reason, status=row.status, designated_by=row.designated_by,
                   designated_at=row.designated_at, withdrawn_by=row.withdrawn_by, withdrawn_at=row.withdrawn_at,
                   withdrawal_reason=row.withdrawal_reason)


class BackupList(BaseModel):
    items: list[BackupRead]
