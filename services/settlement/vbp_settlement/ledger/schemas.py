from datetime import datetime

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen


class MovementRead(BaseModel):
    transaction_id: int
    cause_kind: str
    cause_ref: str = Field(description="the request id or event id that caused it (SET-6)")
    description: str
    counterparty: str = Field(description="the account on the other side of the posting")
    amount: YuanFromFen = Field(description="into this account positive, out of it negative")
    recorded_at: datetime


class AccountRead(BaseModel):
    address: str
    overdraft_allowed: bool
    balance: YuanFromFen = Field(description="Σ in − Σ out of its postings, never a stored counter (SET-6)")
    movements: list[MovementRead] = Field(description="the latest first")
