from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.bulk_rows import BULK_RESPONSES, bulk_status
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.parties import company_code, hospital_code

from vbp_settlement.invoices import service
from vbp_settlement.invoices.schemas import (
    BulkInvoiceResult,
    BulkInvoices,
    InvoiceCreate,
    InvoiceDecision,
    InvoicePage,
    InvoiceRead,
    InvoiceReversal,
    InvoiceSummary,
)

router = APIRouter(tags=["invoices"])

Status = Literal["submitted", "accepted", "rejected", "reversed"]
InvoiceId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.post("/invoices", status_code=201, response_model=InvoiceRead, dependencies=[require_roles(Role.COMPANY)],
             summary="The distributor bills a hospital for accepted delivery lines, each at most what is still billable (SET-1)")
async def submit_invoice(body: InvoiceCreate, session: SessionDep, principal: PrincipalDep,
                         clock: ClockDep) -> InvoiceRead:
    return InvoiceRead.of(await service.submit(session, body, company=company_code(principal), by=principal.actor,
                                               today=clock.today()))


@router.post("/invoices/bulk", response_model=BulkInvoiceResult, dependencies=[require_roles(Role.COMPANY)],
             responses=BULK_RESPONSES,
             summary="Bulk upload of up to 10,000 invoices, each checked and submitted as one would be (SET-1); "
                     "a refused row is reported with its errors and the good rows are kept: 200 all submitted, "
                     "207 some refused, 422 none submitted")
async def submit_invoices(body: BulkInvoices, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep, response: Response) -> BulkInvoiceResult:
    result = BulkInvoiceResult(**await service.submit_bulk(session, body.invoices, company=company_code(principal),
                                                           by=principal.actor, today=clock.today()))
    bulk_status(response, stored=result.submitted, rows_field="invoices", errors=[
        {"row": row.row, **error} for row in result.rows for error in row.errors])
    return result


@router.get("/invoices", response_model=InvoicePage, summary="Invoices you billed or were billed; overseers see all")
async def list_invoices(session: SessionDep, principal: PrincipalDep, status: Status | None = None,
                        cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
                        limit: Annotated[int, Query(ge=1, le=500)] = 100) -> InvoicePage:
    rows, next_cursor = await service.list_invoices(session, principal=principal, status=status, cursor=cursor,
                                                    limit=limit)
    return InvoicePage(items=[InvoiceSummary.of(r) for r in rows], next_cursor=next_cursor)


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead,
            summary="Read an invoice you are party to, with its due-date explain and what is paid")
async def read_invoice(invoice_id: InvoiceId, session: SessionDep, principal: PrincipalDep) -> InvoiceRead:
    return InvoiceRead.of(await service.read(session, invoice_id=invoice_id, principal=principal))


@router.post("/invoices/{invoice_id}/acceptance", response_model=InvoiceRead,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital billed accepts the invoice, or rejects it with a reason (SET-1)")
async def decide_invoice(invoice_id: InvoiceId, body: InvoiceDecision, session: SessionDep, principal: PrincipalDep,
                         clock: ClockDep) -> InvoiceRead:
    hospital_code(principal)
    return InvoiceRead.of(await service.decide(session, invoice_id=invoice_id, request=body, principal=principal,
                                               today=clock.today()))


@router.post("/invoices/{invoice_id}/reversal", response_model=InvoiceRead,
             dependencies=[require_roles(Role.COMPANY)],
             summary="The company reverses (红冲) its unpaid invoice; its lines may be billed again (SET-1)")
async def reverse_invoice(invoice_id: InvoiceId, body: InvoiceReversal, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> InvoiceRead:
    company_code(principal)
    return InvoiceRead.of(await service.reverse(session, invoice_id=invoice_id, request=body, principal=principal,
                                                today=clock.today()))
