"""A hospital's monthly statement as an ``.xlsx`` workbook (openpyxl): what a finance office
files. Amounts are written as exact decimals of yuan with two places, never floats; the day a
payable was paid is a date cell; the hospital is named beside its code, and every heading is
Chinese first (issue 23)."""

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
    sheet.append(["医疗机构 hospital", statement.hospital_code, statement.hospital_name])
    sheet.append(["月份 month", statement.month])
    sheet.append([])
    header = ["基金 fund", "版本 version", "应付 payable", "直接结算 direct settlements", "抵扣 offsets", "净额 net",
              "支付日期 paid on"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for fund in statement.funds:
        _money_row(sheet, [fund.fund, fund.version, _yuan(fund.payable), _yuan(fund.direct_settlements),
                           _yuan(fund.offsets), _yuan(fund.net), fund.paid_on])
        sheet.cell(sheet.max_row, 7).number_format = "yyyy-mm-dd"
    _money_row(sheet, ["合计 total", None, _yuan(statement.totals.payable), _yuan(statement.totals.direct_settlements),
                       _yuan(statement.totals.offsets), _yuan(statement.totals.net), None])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([])
    sheet.append(["抵扣 offsets", "基金 fund", "预付计划 plan", "批次 batch", "金额 amount"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for fund in statement.funds:
        for offset in fund.offset_lines:
            _money_row(sheet, [None, fund.fund, offset.plan_id, offset.batch_code, _yuan(offset.amount)])
    sheet.append([])
    sheet.append(["直接结算 direct settlements", "基金 fund", "支付 payment", "发票 invoice", "金额 amount"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for fund in statement.funds:
        for d in fund.direct_settlement_lines:
            _money_row(sheet, [None, fund.fund, d.payment_id, d.invoice_id, _yuan(d.amount)])
    sheet.append([])
    _money_row(sheet, ["预付金未冲抵余额 prepayment outstanding now", _yuan(statement.prepayment_outstanding)])
    _money_row(sheet, ["应退回 refund due now", _yuan(statement.refund_due)])
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
