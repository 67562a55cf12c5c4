"""MON-11: the national 进销存 interfaces 3501–3507 as hospitals' HIS already build them for the
national medical-insurance platform — field names, lengths, required flags and envelope forms
from public HIS code (``shared/reference/national-3501-3507.md``).

A HIS sends here the rows it sends there, unchanged:

- bare (one row object, or a list of rows), or under ``rows``;
- under the interface's wrapper key (``purcinfo``, ``invinfo``, ``selinfo``, ``data``; vendors mix
  them up, so every wrapper is accepted for every interface), holding one object, a list, or a
  JSON *string* of the list (hsa-his does that for 3502/3505/3506);
- inside the national envelope ``{infno, msgid, …, input: {<wrapper>: …}}``, ``input`` itself
  possibly a JSON string. The envelope's ``infno``, if sent, must be the interface posted to.

Text fields a HIS fills with ``"无"`` because the national table requires them count as empty:
empty is empty, whatever the filler, so a required field holding only ``"无"`` is missing.

**Identity is dropped on receipt.** The patient (``psn_no``, ``certno``, ``psn_name``,
``psn_cert_type``), the prescriber and pharmacist (``prsc_dr_*``, ``phar_*``), the settlement
and visit that would lead back to the patient (``setl_id``, ``mdtrt_sn``, ``rxno``), and the
staff who handled the goods (``*_opter_name``, the envelope's ``opter*``) — MON-11's checks need
none of them. They are removed before anything else reads the row, so they are never validated,
stored, logged, announced or echoed in an error. Fields no interface defines are ignored too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from vbpkit.runtime.clock import SHANGHAI

IDENTITY = frozenset({
    "psn_no", "certno", "psn_name", "psn_cert_type", "psn_certno", "cert_type",
    "prsc_dr_cert_type", "prsc_dr_certno", "prsc_dr_name", "prsc_dr_code",
    "phar_cert_type", "phar_certno", "phar_name", "phar_prac_cert_no", "phar_code",
    "setl_id", "mdtrt_sn", "mdtrt_id", "rxno",
    "purc_retn_opter_name", "sel_retn_opter_name", "inv_chg_opter_name", "opter", "opter_name", "opter_type",
})
EMPTY_FILLERS = frozenset({"", "无"})
WRAPPERS = ("rows", "purcinfo", "invinfo", "selinfo", "data")
_MSGID = re.compile(r"[0-9A-Za-z_-]{1,30}")


@dataclass(frozen=True)
class NationalField:
    """One field of a national table: 字符型 ``length``, 数值型 (``precision``, ``scale``), 日期型,
    日期时间型, or a dictionary code among ``codes``."""

    name: str
    kind: Literal["text", "decimal", "date", "datetime"]
    length: int = 0
    precision: int = 0
    scale: int = 0
    required: bool = False
    aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    @property
    def limit(self) -> str:
        """The national table's limit, as the table writes it."""
        if self.kind == "decimal":
            return f"数值型 {self.precision},{self.scale}"
        if self.kind == "date":
            return "日期型 yyyy-MM-dd"
        if self.kind == "datetime":
            return "日期时间型 yyyy-MM-dd HH:mm:ss"
        return f"字符型 {self.length}" + (f", one of {'|'.join(self.codes)}" if self.codes else "")


def _text(name, length, required=False, *aliases, codes=()):
    return NationalField(name, "text", length=length, required=required, aliases=aliases, codes=codes)


def _number(name, precision, scale, required=False):
    return NationalField(name, "decimal", precision=precision, scale=scale, required=required)


def _date(name, required=False):
    return NationalField(name, "date", required=required)


def _datetime(name, required=False, *aliases):
    return NationalField(name, "datetime", required=required, aliases=aliases)


_CATALOGUE = (_text("med_list_codg", 50, True), _text("fixmedins_hilist_id", 30, True),
              _text("fixmedins_hilist_name", 200, True))
_BATCH = _text("fixmedins_bchno", 30, True)
_MEMO = _text("memo", 500)


@dataclass(frozen=True)
class Interface:
    """One national interface: its number, what its rows are (the ``data_type`` of the key),
    the wrapper keys it is sent under, its fields, and which of them carry the quantity, the
    unit price and the time the row belongs to."""

    infno: str
    data_type: str
    title: str
    inv_data_type: str
    fields: tuple[NationalField, ...]
    quantity: str | None = None
    price: str | None = None
    time: str | None = None


INTERFACES: dict[str, Interface] = {i.infno: i for i in (
    Interface("3501", "stock_count", "商品盘存", "1", (
        *_CATALOGUE, _text("rx_flag", 3, True), _date("invdate", True), _number("inv_cnt", 16, 2, True),
        _text("manu_lotnum", 30), _BATCH, _date("manu_date", True), _date("expy_end", True), _MEMO),
        quantity="inv_cnt", time="invdate"),
    Interface("3502", "stock_change", "库存变更", "2", (
        _text("med_list_codg", 50, True), _text("inv_chg_type", 6, True), _text("fixmedins_hilist_id", 30),
        _text("fixmedins_hilist_name", 200), _BATCH, _number("pric", 16, 6, True), _number("cnt", 16, 4, True),
        _text("rx_flag", 3, True), _datetime("inv_chg_time", True), _MEMO, _text("trdn_flag", 2)),
        quantity="cnt", price="pric", time="inv_chg_time"),
    Interface("3503", "purchase", "商品采购", "3", (
        *_CATALOGUE, _text("dynt_no", 50), _BATCH, _text("spler_name", 200, True), _text("spler_pmtno", 50),
        _text("manu_lotnum", 30, True), _text("prdr_name", 200, True, "prodentp_name", "prodentpName"),
        _text("aprvno", 100, True), _date("manu_date", True), _date("expy_end", True),
        _number("finl_trns_pric", 16, 6), _number("purc_retn_cnt", 16, 4, True), _text("purc_invo_codg", 50),
        _text("purc_invo_no", 50), _text("rx_flag", 3, True),
        _datetime("purc_retn_stoin_time", True, "purc_retn_stointime"),
        _text("prod_geay_flag", 3, codes=("0", "1")), _MEMO),
        quantity="purc_retn_cnt", price="finl_trns_pric", time="purc_retn_stoin_time"),
    Interface("3504", "purchase_return", "商品采购退货", "3", (
        *_CATALOGUE, _BATCH, _text("spler_name", 200, True), _text("spler_pmtno", 50), _date("manu_date", True),
        _date("expy_end", True), _number("finl_trns_pric", 16, 6), _number("purc_retn_cnt", 16, 4, True),
        _text("purc_invo_codg", 50), _text("purc_invo_no", 50, True), _text("rx_flag", 3, True),
        _datetime("purc_retn_stoin_time", True, "purc_retn_stointime"), _text("medins_prod_purc_no", 50), _MEMO),
        quantity="purc_retn_cnt", price="finl_trns_pric", time="purc_retn_stoin_time"),
    Interface("3505", "sale", "商品销售", "4", (
        *_CATALOGUE, _BATCH, _text("hi_feesetl_type", 6), _text("manu_lotnum", 30, True), _date("manu_date", True),
        _date("expy_end"), _text("rx_flag", 3, True), _text("trdn_flag", 3, True), _number("finl_trns_pric", 16, 6),
        _text("rx_circ_flag", 3), _text("rtal_docno", 40, True), _text("stoout_no", 40), _text("bchno", 30),
        _text("drug_trac_codg", 30), _text("drug_prod_barc", 30), _text("shelf_posi", 20),
        _number("sel_retn_cnt", 16, 4, True), _datetime("sel_retn_time", True), _MEMO),
        quantity="sel_retn_cnt", price="finl_trns_pric", time="sel_retn_time"),
    Interface("3506", "sale_return", "商品销售退货", "4", (
        *_CATALOGUE, _BATCH, _text("manu_lotnum", 30), _date("manu_date"), _date("expy_end"),
        _text("rx_flag", 3, True), _text("trdn_flag", 3, True), _number("finl_trns_pric", 16, 6),
        _number("sel_retn_cnt", 16, 4, True), _datetime("sel_retn_time", True), _text("medins_prod_sel_no", 50),
        _MEMO),
        quantity="sel_retn_cnt", price="finl_trns_pric", time="sel_retn_time"),
    Interface("3507", "deletion", "商品信息删除", "", (
        _BATCH, _text("inv_data_type", 30, True, codes=("1", "2", "3", "4")))),
)}
# 3507's inv_data_type → the data types it deletes (1 盘存, 2 库存变更, 3 采购 and its returns, 4 销售 and its returns)
DELETES = {"1": ("stock_count",), "2": ("stock_change",), "3": ("purchase", "purchase_return"),
           "4": ("sale", "sale_return")}
DATA_TYPES = tuple(i.data_type for i in INTERFACES.values() if i.infno != "3507")


class EnvelopeError(ValueError):
    """The body is none of the forms a HIS sends; ``field`` is where, in the body."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Unwrapped:
    rows: list[Any]
    path: str  # the JSON location of the rows in the body, e.g. "body.input.purcinfo"
    single: bool  # one object was sent, not a list
    msgid: str | None = None

    def where(self, row: int) -> str:
        """The JSON location of row ``row`` (numbered from 1)."""
        return self.path if self.single else f"{self.path}.{row - 1}"


def _json_text(value: Any, where: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value, parse_float=Decimal)
    except ValueError:
        raise EnvelopeError(where, "is a string that is not JSON; send rows as objects or as a JSON text of them")


def unwrap(body: Any, interface: Interface) -> Unwrapped:
    """The rows of a body in any of the forms this module's docstring lists."""
    path, msgid = "body", None
    if isinstance(body, dict) and "input" in body:
        infno = body.get("infno")
        if infno is not None and str(infno) != interface.infno:
            raise EnvelopeError("body.infno", f"is {infno}; this is interface {interface.infno} ({interface.title})")
        if isinstance(body.get("msgid"), str) and _MSGID.fullmatch(body["msgid"]):
            msgid = body["msgid"]  # 定点医药机构编号 + 时间 + 顺序号: kept for the event only when it is one
        path, body = "body.input", _json_text(body["input"], "body.input")
    if isinstance(body, dict):
        for key in WRAPPERS:
            if key in body:
                path, body = f"{path}.{key}", _json_text(body[key], f"{path}.{key}")
                break
    if isinstance(body, dict):
        return Unwrapped([body], path, True, msgid)
    if isinstance(body, list):
        return Unwrapped(body, path, False, msgid)
    raise EnvelopeError(path, f"holds no rows: send a row object, a list of rows, {{\"rows\": […]}}, "
                              f"{{\"purcinfo\": …}} or the national envelope {{\"infno\": \"{interface.infno}\", "
                              f"\"input\": {{\"purcinfo\": …}}}}")


def without_identity(raw: dict) -> dict:
    """The row with every identity field (and every field of no interface) left out."""
    return {k: v for k, v in raw.items() if k not in IDENTITY}


_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")
_DATETIME = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[ T]?(\d{2}):?(\d{2}):?(\d{2}))?$")


def _parse(spec: NationalField, value: Any) -> tuple[Any, str | None, str | None]:
    """(the value, its text as kept, None) or (None, None, why it is refused)."""
    if spec.kind == "text":
        if isinstance(value, str):
            text = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            return None, None, f"is not text ({spec.limit})"
        if len(text) > spec.length:
            return None, None, f"is {len(text)} characters, more than {spec.length} ({spec.limit})"
        if "\x00" in text:  # PostgreSQL stores no NUL in text
            return None, None, f"holds a NUL character ({spec.limit})"
        if not text.isascii() and _SURROGATE.search(text):  # nor a lone UTF-16 surrogate (no UTF-8 for it)
            return None, None, f"holds a lone surrogate (\\ud800–\\udfff), not text ({spec.limit})"
        if spec.codes and text not in spec.codes:
            return None, None, f"is {text!r}, not one of {', '.join(spec.codes)} ({spec.limit})"
        return text, text, None
    if spec.kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal, float)):
            return None, None, f"is not a number ({spec.limit})"
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            return None, None, f"is not a number ({spec.limit})"
        if not number.is_finite() or number < 0:
            return None, None, f"is not a number of zero or more ({spec.limit})"
        number = number.normalize()  # trailing zeros do not count: 1.50000000 is 1.5, and is kept as "1.5"
        _, digits, exponent = number.as_tuple()
        fraction = max(0, -exponent)
        whole = max(0, len(digits) + exponent)
        if fraction > spec.scale or whole > spec.precision - spec.scale:
            return None, None, (f"has {whole} digits before the point and {fraction} after; at most "
                                f"{spec.precision - spec.scale} and {spec.scale} ({spec.limit})")
        return number, format(number, "f"), None
    if not isinstance(value, str):
        return None, None, f"is not a date ({spec.limit})"
    match = (_DATE if spec.kind == "date" else _DATETIME).match(value.strip())
    try:
        if not match:
            raise ValueError
        if spec.kind == "date":
            day = date(*map(int, match.groups()))
            return day, day.isoformat(), None
        moment = datetime(*(int(p) if p else 0 for p in match.groups()), tzinfo=SHANGHAI)
        return moment, moment.strftime("%Y-%m-%d %H:%M:%S"), None
    except ValueError:
        return None, None, f"is {value.strip()[:30]!r}, not a valid {spec.limit}"


def read_row(interface: Interface, raw: dict) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str]]]:
    """The row's national fields parsed (text stripped, numbers as Decimal, dates, Beijing
    datetimes), the same as kept (text in the national formats, in the table's order), and the
    refusals (field, reason). ``raw`` has had its identity removed."""
    values: dict[str, Any] = {}
    kept: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    for spec in interface.fields:
        value = raw.get(spec.name)
        if value is None and spec.aliases:
            value = next((raw[a] for a in spec.aliases if raw.get(a) is not None), None)
        if value is None or (isinstance(value, str) and value.strip() in EMPTY_FILLERS):
            if spec.required:
                errors.append((spec.name, f"is required ({spec.limit}); empty and \"无\" count as missing"))
            continue
        parsed, text, reason = _parse(spec, value)
        if reason:
            errors.append((spec.name, reason))
        else:
            values[spec.name], kept[spec.name] = parsed, text
    return values, kept, errors


_SEPARATORS = re.compile(r"[\s\-_.·]+")


def code_key(code: str) -> str:
    """A national code as the catalog keeps it (CAT-11): separators removed, upper case."""
    return _SEPARATORS.sub("", code).upper()
