"""A hospital's monthly statement as an ``.xlsx`` workbook (openpyxl): what a finance office
files. Amounts are written as exact decimals of yuan with two places, never floats."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from vbpkit.web.xlsx import MEDIA_TYPE, YUAN
from vbpkit.web.xlsx import yuan as _yuan

from vbp_settlement.statements.schemas import Statement

__all__ = ["MEDIA_TYPE", "workbook"]


def workbook(statement: Statement) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "statement"
    bold = Font(bold=True)
    sheet.append(["医保基金月度结算单 monthly fund statement (SET-4/SET-5)"])
    sheet["A1"].font = bold
    sheet.append(["hospital", statement.hospital_code])
    sheet.append(["month", statement.month])
    sheet.append([])
    header = ["fund", "version", "payable", "direct settlements", "offsets", "net", "paid on"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for fund in statement.funds:
        _money_row(sheet, [fund.fund, fund.version, _yuan(fund.payable), _yuan(fund.direct_settlements),
                           _yuan(fund.offsets), _yuan(fund.net), fund.paid_on.isoformat()])
    _money_row(sheet, ["total", None, _yuan(statement.totals.payable), _yuan(statement.totals.direct_settlements),
                       _yuan(statement.totals.offsets), _yuan(statement.totals.net), None])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([])
    sheet.append(["offsets (抵扣)", "fund", "plan", "batch", "amount"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for fund in statement.funds:
        for offset in fund.offset_lines:
            _money_row(sheet, [None, fund.fund, offset.plan_id, offset.batch_code, _yuan(offset.amount)])
    sheet.append([])
    sheet.append(["direct settlements (直接结算)", "fund", "payment", "invoice", "amount"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for fund in statement.funds:
        for d in fund.direct_settlement_lines:
            _money_row(sheet, [None, fund.fund, d.payment_id, d.invoice_id, _yuan(d.amount)])
    sheet.append([])
    _money_row(sheet, ["prepayment outstanding now", _yuan(statement.prepayment_outstanding)])
    _money_row(sheet, ["refund due now", _yuan(statement.refund_due)])
    sheet.column_dimensions["A"].width = 30
    for column in "BCDEFG":
        sheet.column_dimensions[column].width = 18
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _money_row(sheet, values: list) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, Decimal):
            cell.number_format = YUAN
