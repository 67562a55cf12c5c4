from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from vbpkit.domain.money import YuanFromFen


class PrepaymentUse(BaseModel):
    hospital_code: str
    batch_code: str
    disbursed: YuanFromFen
    paid_to_suppliers: YuanFromFen
    unpaid_past_due: YuanFromFen
    shortfall: YuanFromFen
    explain: dict[str, Any]

    @classmethod
    def of(cls, r: dict) -> PrepaymentUse:
        return cls(hospital_code=r["hospital_code"], batch_code=r["batch_code"], disbursed=r["disbursed_fen"],
                   paid_to_suppliers=r["paid_to_suppliers_fen"], unpaid_past_due=r["unpaid_past_due_fen"],
                   shortfall=r["shortfall_fen"], explain=r["explain"])


class PrepaymentUsePage(BaseModel):
    items: list[PrepaymentUse]
