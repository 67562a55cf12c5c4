from datetime import date

from pydantic import BaseModel
from vbpkit.domain.money import YuanFromFen


class BillableLineRead(BaseModel):
    delivery_id: int
    line_no: int
    hospital_code: str
    company_code: str
    batch_code: str
    product_id: int
    unit_price: YuanFromFen
    accepted_on: date
    accepted_quantity: int
    returned_quantity: int
    invoiced_quantity: int
    billable_quantity: int

    @classmethod
    def of(cls, view) -> "BillableLineRead":
        """From a ``deliveries.service.BillableLine``."""
        billed, line = view.billed, view.billed.line
        return cls(delivery_id=line.delivery_id, line_no=line.line_no, hospital_code=line.hospital_code,
                   company_code=billed.biller_code, batch_code=line.batch_code, product_id=line.product_id,
                   unit_price=line.unit_price_fen, accepted_on=line.accepted_on,
                   accepted_quantity=billed.accepted_quantity, returned_quantity=billed.returned_quantity,
                   invoiced_quantity=view.invoiced_quantity, billable_quantity=view.billable_quantity)
