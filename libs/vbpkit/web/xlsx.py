"""Workbooks for download (openpyxl): one sheet per table, a bold header row, figures written
as numbers — amounts as exact decimals of yuan with two places, never floats or text — so a
bureau's spreadsheet sums them as they are.

A sheet given ``labels`` puts the Chinese column name in its first row and the API field name
under it (grey), data from the third row, the two header rows frozen; a workbook given a
``Cover`` opens on a 说明 sheet saying what it is, for which filters, when and by whom it was
generated (issue 23, item 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from vbpkit.runtime.clock import SHANGHAI

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN = "#,##0.00"
RATE = "0.0000"


# the Chinese column name a bureau reads above each API field name (a name not here shows as itself)
LABELS: dict[str, str] = {
    "hospital_code": "医疗机构编码", "hospital_name": "医疗机构名称", "company_code": "企业统一社会信用代码",
    "company_name": "企业名称", "batch_code": "批次编码", "region_code": "行政区划代码", "product_id": "产品ID",
    "product_name": "产品名称", "spec": "规格型号", "completion": "完成率", "target": "序时进度",
    "agreed_amount": "约定采购金额(元)", "accepted_amount": "验收金额(元)", "accepted_quantity": "验收数量",
    "returned_quantity": "退货数量", "returned_amount": "退货金额(元)", "net_quantity": "净采购数量",
    "net_amount": "净采购金额(元)", "invoices_due": "到期发票数", "paid_on_time": "按时回款数",
    "on_time_rate": "按时回款率", "onboarded_on": "首次验收日期", "substitute_alert_months": "替代预警月数",
    "months": "已过月数", "savings": "节约金额(元)", "score": "总分", "grade": "等级",
    "score_completion": "完成率得分", "score_on_time_payment": "按时回款得分", "score_onboarding": "进院得分",
    "score_substitutes": "替代使用得分", "score_on_platform": "平台采购得分", "on_platform_quantity": "平台净验收量",
    "his_quantity": "HIS净采购量", "lines_confirmed": "已确认行数", "lines_due": "应配送行数",
    "delivered_in_time": "按时配送行数", "fill_rate": "按时配送率", "lead_time_days_p50": "配送天数中位数",
    "lead_time_days_p90": "配送天数90分位", "lines_declined": "拒绝行数", "breaches_in_period": "期内违约次数",
    "failure_costs": "违约致损费用(元)", "costs": "费用笔数", "amount": "金额(元)",
    "obstructions_substantiated": "阻碍行为查实次数", "substantiated": "查实次数",
    "rating": "信用评级", "ordered_quantity": "订购数量", "confirmed_quantity": "确认数量",
    "declined_quantity": "拒绝数量", "delivered_quantity": "配送数量", "invoiced_count": "发票数",
    "invoiced": "开票金额(元)", "paid": "回款金额(元)", "found_overdue_count": "逾期发票数",
    "found_overdue": "逾期金额(元)", "planned": "计划预付(元)", "disbursed": "已拨付(元)", "late": "逾期拨付(元)",
    "offset": "已冲抵(元)", "refunded": "已退回(元)", "outstanding": "未冲抵余额(元)",
    "products_without_baseline": "无基准价产品数", "id": "编号", "kind": "类型", "rule": "规则", "period": "期间",
    "status": "状态", "raised_on": "预警日期",
}


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


@dataclass
class Sheet:
    """A table: its title (≤ 31 characters, Excel's limit), header and rows. Columns named in
    ``money`` hold fen and are written as yuan; those in ``rates`` hold decimal strings."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    money: set[str] = field(default_factory=set)
    rates: set[str] = field(default_factory=set)
    labels: dict[str, str] | None = None


@dataclass
class Cover:
    """The 说明 sheet: the workbook's title, the facts it was made for (month, region, filters)
    as (name, value) pairs, and when and by which principal it was generated."""

    title: str
    facts: list[tuple[str, Any]]
    generated_at: datetime
    generated_by: str


def workbook(sheets: list[Sheet], cover: Cover | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    if cover is not None:
        _cover_sheet(book, cover, bold)
    for table in sheets:
        sheet = book.create_sheet(table.title[:31])
        if table.labels is not None:
            sheet.append([table.labels.get(name, name) for name in table.header])
            for cell in sheet[1]:
                cell.font = bold
            sheet.append(table.header)
            for cell in sheet[2]:
                cell.font = Font(italic=True, color="808080")
            sheet.freeze_panes = "A3"
        else:
            sheet.append(table.header)
            for cell in sheet[1]:
                cell.font = bold
        for row in table.rows:
            sheet.append([_value(name, value, table) for name, value in zip(table.header, row, strict=True)])
            for name, cell in zip(table.header, sheet[sheet.max_row]):
                if name in table.money:
                    cell.number_format = YUAN
                elif name in table.rates:
                    cell.number_format = RATE
        for index, name in enumerate(table.header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 4))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _cover_sheet(book: Workbook, cover: Cover, bold: Font) -> None:
    sheet = book.create_sheet("说明")
    sheet.append([cover.title])
    sheet["A1"].font = Font(bold=True, size=14)
    generated_at = cover.generated_at.astimezone(SHANGHAI).replace(tzinfo=None)  # Excel keeps no zone
    for name, value in [*cover.facts, ("生成时间 (北京时间)", generated_at), ("生成者", cover.generated_by)]:
        sheet.append([name, value])
    sheet[f"B{sheet.max_row - 1}"].number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 40


def _value(name: str, value: Any, table: Sheet) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(SHANGHAI).replace(tzinfo=None)  # Excel keeps no zone: Beijing time
    if name in table.money:
        return yuan(value)
    if name in table.rates:
        try:
            return Decimal(value)
        except InvalidOperation:  # a word in a figure's column ("nothing to assess") stays a word
            return value
    return value


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition of a download named ``filename`` (RFC 6266): an ASCII fallback and
    the exact UTF-8 name, so a hospital or batch code in any script never breaks the header
    (HTTP headers are Latin-1; issue 11 found a 500 there)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"}
