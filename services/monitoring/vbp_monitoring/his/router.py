"""MON-11 routes: a HIS's national 进销存 uploads, their mappings, and the reads of what the
hospitals really bought."""

import json
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from vbpkit.db.engine import SessionDep
from vbpkit.domain.money import parse_yuan
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.bulk_rows import BULK_RESPONSES, BulkResult, answered
from vbpkit.web.downloads import DOWNLOADS, Format, download
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.web.problems import Problem

from vbp_monitoring.his import checks, mapping, reconciliation, uploads
from vbp_monitoring.his.national import INTERFACES
from vbp_monitoring.his.schemas import (
    OFF_PLATFORM_COLUMNS, UPLOAD_COLUMNS, HisDeleteResult, MappingIn, MappingOut, MappingPage,
    OffPlatformPage, UnmappedPage, UploadStatusPage)

router = APIRouter(tags=["his"])
MONTH = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                    description="YYYY-MM (Beijing); the month before today's when not given")]
UPLOADED = Literal["3501", "3502", "3503", "3504", "3505", "3506"]

PURCHASE_EXAMPLE = {
    "med_list_codg": "C02010104501000304770000", "fixmedins_hilist_id": "HC0001", "fixmedins_hilist_name": "药物洗脱支架",
    "fixmedins_bchno": "CG202503000001", "spler_name": "重庆医药（集团）股份有限公司", "manu_lotnum": "L2503",
    "prdr_name": "某医疗器械有限公司", "aprvno": "国械注准20213130001", "manu_date": "2025-01-10",
    "expy_end": "2027-01-09", "finl_trns_pric": "590.000000", "purc_retn_cnt": "2", "rx_flag": "0",
    "purc_retn_stoin_time": "2025-03-12 10:20:00", "purc_retn_opter_name": "张三"}


def _body_document(infno: str) -> dict:
    interface = INTERFACES[infno]
    wrapper = {"3501": "invinfo", "3502": "invinfo", "3505": "selinfo", "3506": "selinfo", "3507": "data"}.get(
        infno, "purcinfo")
    fields = {f.name: {"type": "string", "description": f"{f.limit}{', required' if f.required else ''}"}
              for f in interface.fields}
    row = {"type": "object", "properties": fields, "required": [f.name for f in interface.fields if f.required]}
    examples = {}
    if infno == "3503":
        examples = {"envelope": {"summary": "the national envelope", "value": {
                        "infno": "3503", "msgid": "H50010100120250401090000001",
                        "input": {"purcinfo": [PURCHASE_EXAMPLE]}}},
                    "bare": {"summary": "bare rows", "value": [PURCHASE_EXAMPLE]}}
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"oneOf": [row, {"type": "array", "items": row, "maxItems": 10_000},
                             {"type": "object", "description": f"{{\"rows\" | \"{wrapper}\": row | [rows] | JSON text}}"},
                             {"type": "object", "description": "the national envelope {infno, msgid, …, input}"}]},
        **({"examples": examples} if examples else {})}}}}


def his_of(principal) -> str:
    """The hospital whose HIS sends: a hospital key's own (an admin's key, which passes every role
    check, names no hospital to send for)."""
    if principal.role is not Role.HOSPITAL or not principal.tenant:
        raise Problem(403, detail="a hospital's HIS sends its own rows; this key is no hospital's")
    return principal.tenant


async def _json(request: Request):
    """The body with its decimals exact (a JSON 590.1 stays 590.1, never a float)."""
    try:
        return json.loads(await request.body(), parse_float=Decimal)
    except ValueError:
        raise Problem(422, "validation-error", "Invalid JSON", "the body is not JSON",
                      errors=[{"field": "body", "reason": "is not JSON"}]) from None


@router.post("/his/3507", response_model=HisDeleteResult, dependencies=[require_roles(Role.HOSPITAL)],
             responses=BULK_RESPONSES, openapi_extra=_body_document("3507"),
             summary="3507 商品信息删除: delete your stored rows by fixmedins_bchno and inv_data_type (1 盘存, "
                     "2 库存变更, 3 采购 and its returns, 4 销售 and its returns), so they may be sent anew (MON-11); "
                     "200 all deleted, 207 some refused, 422 none")
async def delete_rows(request: Request, session: SessionDep, principal: PrincipalDep,
                      response: Response) -> HisDeleteResult:
    result = HisDeleteResult(**await uploads.remove(session, hospital=his_of(principal), body=await _json(request)))
    response.status_code = 207 if result.errors else 200
    return result


@router.post("/his/{infno}", response_model=BulkResult, dependencies=[require_roles(Role.HOSPITAL)],
             responses={**BULK_RESPONSES, 409: {"description": "every row's key is stored with other content; "
                                                               "delete it (3507) first"}},
             openapi_extra=_body_document("3503"),
             summary="Send your HIS's rows of a national 进销存 interface as you send them to the national platform: "
                     "3501 盘存, 3502 库存变更, 3503 采购, 3504 采购退货, 3505 销售, 3506 销售退货 — bare, under "
                     "rows/purcinfo/invinfo/selinfo, or in the national envelope; ≤ 10,000 rows; patient, "
                     "prescriber and pharmacist identity dropped on receipt (MON-11); 200 all stored or replayed, "
                     "207 some refused, 422 none, 409 all already stored with other content")
async def upload(infno: UPLOADED, request: Request, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                 response: Response) -> BulkResult:
    return answered(response, BulkResult(**await uploads.upload(session, hospital=his_of(principal), infno=infno,
                                                                 body=await _json(request), now=clock.now())))


@router.get("/his/off-platform", response_model=OffPlatformPage, responses=DOWNLOADS,
            summary="What hospitals bought off the platform (线下采购): per hospital × winning product, a month's HIS "
                    "net purchases against the platform's acceptances, with the explain (MON-11); a hospital sees "
                    "its own, an insurer its region; `.csv`/`.xlsx` with `format`")
async def off_platform(session: SessionDep, principal: PrincipalDep, clock: ClockDep, month: MONTH = None,
                       hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                       batch_code: Annotated[str | None, Query(max_length=64)] = None,
                       region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                       alert: Annotated[bool | None, Query(description="only rows above the threshold (true) "
                                                                       "or not (false)")] = None,
                       format: Format = "json",
                       cursor: Annotated[str | None, Query(max_length=64, description="the `next_cursor` of the "
                                                                                      "page before")] = None,
                       limit: Annotated[int, Query(ge=1, le=5_000, description="rows a page at most (whole "
                                                                              "hospitals)")] = 1_000):
    downloading = format != "json"  # every selected row, not a page
    chosen, rows, next_cursor = await reconciliation.visible_reconciliation(
        session, principal=principal, month=month, today=clock.today(), hospital_code=hospital_code,
        batch_code=batch_code, region_code=region_code, alert=alert, cursor=None if downloading else cursor,
        limit=None if downloading else limit)
    if downloading:
        return download(format, title="线下采购 (MON-11)", columns=OFF_PLATFORM_COLUMNS, rows=[{
            **r, "highest_his_price": r["highest_his_price"] and parse_yuan(r["highest_his_price"]),
            "agreed_price": r["agreed_price"] and parse_yuan(r["agreed_price"]),
            "other_suppliers": "、".join(r["other_suppliers"]),
            **{k: Decimal(r[k]) for k in ("his_purchased", "his_returned", "his_net", "platform_net",
                                          "matched_across_month_end", "off_platform")}} for r in rows],
            filename=f"off-platform-{chosen}", generated_at=clock.now(),
            generated_by=principal.actor, filters={"month": chosen, "hospital_code": hospital_code,
                                                   "batch_code": batch_code, "region_code": region_code,
                                                   "alert": alert})
    return OffPlatformPage(month=chosen, items=rows, next_cursor=next_cursor)


@router.get("/his/uploads", response_model=UploadStatusPage, responses=DOWNLOADS,
            summary="Whether each hospital sent a month's 进销存 on time (seed 001 按时上传): rows per data type, first "
                    "and last received, due day (MON-11); `.csv`/`.xlsx` with `format`")
async def upload_status(session: SessionDep, principal: PrincipalDep, clock: ClockDep, month: MONTH = None,
                        hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                        region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                        status: Literal["on_time", "late", "missing", "not_due"] | None = None,
                        format: Format = "json"):
    chosen, rows = await checks.visible_upload_status(session, principal=principal, month=month, today=clock.today(),
                                               hospital_code=hospital_code, region_code=region_code, status=status)
    if format != "json":
        return download(format, title="进销存上传 (MON-11)", columns=UPLOAD_COLUMNS, rows=[{
            **r, **r["rows"], "batches_in_force": "、".join(r["batches_in_force"])} for r in rows],
            filename=f"his-uploads-{chosen}", generated_at=clock.now(),
            generated_by=principal.actor, filters={"month": chosen, "hospital_code": hospital_code,
                                                   "region_code": region_code, "status": status})
    return UploadStatusPage(month=chosen, items=rows)


@router.get("/his/unmapped", response_model=UnmappedPage,
            summary="National codes your HIS rows use that map to no catalog product, with why (MON-11)")
async def unmapped(session: SessionDep, principal: PrincipalDep,
                   hospital_code: Annotated[str | None, Query(max_length=64)] = None) -> UnmappedPage:
    return UnmappedPage(items=await mapping.unmapped(session, principal=principal, hospital_code=hospital_code))


@router.get("/his/mappings", response_model=MappingPage,
            summary="The national codes mapped to catalog products by hand, with their unit conversion (MON-11)")
async def mappings(session: SessionDep, principal: PrincipalDep) -> MappingPage:
    return MappingPage(items=[MappingOut.of(m) for m in await mapping.mappings(session)])


@router.put("/his/mappings/{med_list_codg}", response_model=MappingOut,
            dependencies=[require_roles(Role.ADMIN, Role.INSURER)],
            summary="Map a national code (med_list_codg) to a catalog product, with how many HIS units make one "
                    "catalog unit (MON-11); replaces an earlier mapping of the code")
async def put_mapping(med_list_codg: Annotated[str, Path(min_length=1, max_length=50)], body: MappingIn,
                      session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> MappingOut:
    return MappingOut.of(await mapping.put_mapping(
        session, code=med_list_codg, product_id=body.product_id, his_units_per_unit=body.his_units_per_unit,
        note=body.note, actor=principal.actor, now=clock.now()))


@router.delete("/his/mappings/{med_list_codg}", status_code=204, dependencies=[require_roles(Role.ADMIN, Role.INSURER)],
               summary="Remove a hand mapping; the code maps through the catalog's insurance codes again (MON-11)")
async def drop_mapping(med_list_codg: Annotated[str, Path(min_length=1, max_length=50)], session: SessionDep) -> Response:
    await mapping.drop_mapping(session, code=med_list_codg)
    return Response(status_code=204)
