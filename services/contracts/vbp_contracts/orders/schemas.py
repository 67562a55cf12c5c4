import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from vbpkit.domain.money import NonNegativeYuan, YuanFromFen
from vbpkit.web.bulk_rows import ROW_NUMBER
from vbpkit.web.problems import invalid_field


class OrderLineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: int = Field(ge=1, le=100_000)
    product_id: int = Field(ge=1)
    quantity: int = Field(ge=1, le=10_000_000)
    unit_price: NonNegativeYuan = Field(description="must equal the winning price, or be lower where the policy allows")


class OrderCreate(BaseModel):
    """采购订单 from a HIS (CON-4); placing the same HIS order number again is a no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    his_order_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/-]+$")
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _unique_lines(self):
        numbers = [line.line_no for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise invalid_field("lines", "line_no repeats")
        return self

    def fingerprint(self) -> str:
        """What the HIS order number is idempotent on (CON-4): the same number again with this
        content is the order already placed; with other content, a 409. Kept as the order's
        ``request_sha256``, so single orders and month-end uploads recognise each other's."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class BulkOrders(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orders: list[dict] = Field(min_length=1, max_length=10_000, description="≤ 10,000 lines in all")


class LineDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    line_no: int
    decision: Literal["confirm", "decline"]
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _reason(self):
        if self.decision == "decline" and not self.reason:
            raise invalid_field("reason", "a declined line needs a reason")
        return self


class Confirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[LineDecision] = Field(min_length=1)


class OrderLineRead(BaseModel):
    line_no: int
    product_id: int
    batch_code: str
    agreement_id: int
    manufacturer_code: str
    distributor_code: str
    quantity: int
    unit_price: YuanFromFen
    amount: YuanFromFen
    beyond_agreed: bool
    status: str
    decline_reason: str | None
    delivered_quantity: int


class OrderRead(BaseModel):
    id: int
    hospital_code: str
    his_order_no: str
    placed_at: datetime
    lines: list[OrderLineRead]

    @classmethod
    def of(cls, view) -> "OrderRead":
        """From an ``orders.service.OrderView``."""
        order = view.order
        return cls(
            id=order.id, hospital_code=order.hospital_code, his_order_no=order.his_order_no,
            placed_at=order.placed_at,
            lines=[OrderLineRead(
                line_no=l.line_no, product_id=l.product_id, batch_code=l.batch_code, agreement_id=l.agreement_id,
                manufacturer_code=l.manufacturer_code, distributor_code=l.distributor_code, quantity=l.quantity,
                unit_price=l.unit_price_fen, amount=l.quantity * l.unit_price_fen, beyond_agreed=l.beyond_agreed,
                status=l.status, decline_reason=l.decline_reason, delivered_quantity=l.delivered_quantity,
            ) for l in view.lines],
        )


class BulkOrderError(BaseModel):
    row: int = Field(ge=1, description=ROW_NUMBER)
    his_order_no: str | None = None
    line_no: int | None = Field(default=None, description="the order line refused, where one was")
    field: str = Field(description="where in the order: `his_order_no`, `lines[line_no=2].unit_price` …")
    reason: str


class BulkOrderResult(BaseModel):
    received_orders: int
    received_lines: int
    created: int
    existing: int
    errors: list[BulkOrderError]


class OrderPage(BaseModel):
    items: list[OrderRead]
    next_cursor: int | None


@dataclass(frozen=True)
class OrderFilter:
    """What a person narrows a list of orders by (issue 23): within the caller's scope, orders
    of a hospital, with a line a company distributes or manufactures, of a batch, with a line
    in a status, placed between two calendar days (Asia/Shanghai, both included)."""

    hospital_code: str | None = None
    company_code: str | None = None
    batch_code: str | None = None
    status: Literal["pending", "confirmed", "declined"] | None = None
    placed_from: date | None = None
    placed_to: date | None = None
